using System.Globalization;
using Microsoft.Extensions.Options;

namespace ProductOps.Gateway.Host;

/// <summary>Refuses cluster settings a stand-alone gateway cannot connect with, naming the setting
/// and why. It runs as the client is wired (<see cref="ClusterClientHostingExtensions"/>): the
/// ports and identity go to Orleans then, which would otherwise fail without naming them.</summary>
public sealed class ClusterClientOptionsValidator : IValidateOptions<ClusterClientOptions>
{
    private const int MaxPort = 65_535;

    public ValidateOptionsResult Validate(string? name, ClusterClientOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.GatewayPorts.Count; i++)
        {
            if (options.GatewayPorts[i] is < 1 or > MaxPort)
            {
                failures.Add($"{ClusterClientOptions.Section}:{nameof(options.GatewayPorts)}:{i} must be 1-{N(MaxPort)}, not {N(options.GatewayPorts[i])}");
            }
        }

        foreach (var (setting, value) in new[] { (nameof(options.ClusterId), options.ClusterId), (nameof(options.ServiceId), options.ServiceId) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                // Orleans matches silos and clients by these: an empty one joins no cluster.
                failures.Add($"{ClusterClientOptions.Section}:{setting} must not be empty (the silos' ProductOps:Silo:{setting})");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);
}

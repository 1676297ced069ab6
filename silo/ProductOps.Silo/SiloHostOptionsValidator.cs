using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using ProductOps.Storage.Postgres;

namespace ProductOps.Silo;

/// <summary>Refuses silo host settings that cannot work, naming the setting and why. It runs as the
/// host is wired (<see cref="SiloHostingExtensions.AddProductOpsSilo"/>), not on start: the ports
/// and the address are handed to Orleans then, which would otherwise fail without naming them.</summary>
public sealed class SiloHostOptionsValidator(StoreMode store) : IValidateOptions<SiloHostOptions>
{
    private const int MaxPort = 65_535;

    public ValidateOptionsResult Validate(string? name, SiloHostOptions options)
    {
        var failures = new List<string>();
        if (options.SiloPort is < 1 or > MaxPort)
        {
            failures.Add(Setting(nameof(options.SiloPort), $"must be 1-{N(MaxPort)}, not {N(options.SiloPort)}"));
        }

        if (options.GatewayPort is < 0 or > MaxPort)
        {
            // 0 is Orleans' own "no gateway": no Orleans client connects to this silo.
            failures.Add(Setting(nameof(options.GatewayPort), $"must be 0-{N(MaxPort)} (0: none), not {N(options.GatewayPort)}"));
        }

        if (store == StoreMode.Postgres && !IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            // Only a cluster member advertises it; an embedded node's silo stays on localhost.
            failures.Add(Setting(nameof(options.AdvertisedAddress), $"must be an IP address, not '{options.AdvertisedAddress}'"));
        }

        if (options.ShutdownTimeout <= TimeSpan.Zero)
        {
            failures.Add(Setting(nameof(options.ShutdownTimeout), $"must be above zero, not {options.ShutdownTimeout:c}"));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string N(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Setting(string setting, string reason) => $"{SiloHostOptions.Section}:{setting} {reason}";
}

using System.Net;
using ProductOps.Testing;

namespace ProductOps.Deploy.Tests;

/// <summary>
/// A Deployment's pod run as a local process: its container's command on what
/// <see cref="DockerImage"/> published to that path, with the environment the kubelet would give it and
/// nothing inherited from the test's own, probed the way its probes say.
/// </summary>
public sealed class Pod : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(3) };
    private readonly Yaml _template;
    private readonly Yaml _container;

    private Pod(string name, Yaml template, HostProcess process)
    {
        Name = name;
        _template = template;
        _container = template["spec"]["containers"].Items.Single();
        Process = process;
    }

    public string Name { get; }

    public HostProcess Process { get; }

    /// <summary>Starts one of <paramref name="deployment"/>'s pods at <paramref name="podIp"/>: a
    /// loopback address, each pod its own, as the pod network gives them.</summary>
    public static Pod Start(
        Manifests manifests, DockerImage image, string deployment, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets, string podIp = "127.0.0.1")
    {
        var template = manifests.Named("Deployment", deployment)["spec"]["template"];
        var container = Manifests.ContainerOf(manifests.Named("Deployment", deployment));
        var command = container["command"].Items.Select(i => i.Text!).ToList();
        Assert.Equal("dotnet", command[0]);
        var environment = new Dictionary<string, string?>(
            manifests.EnvironmentOf(container, secrets, podIp).Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)));
        foreach (var inherited in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (!environment.ContainsKey(inherited) && (inherited.StartsWith("ProductOps__", StringComparison.OrdinalIgnoreCase)
                || inherited.EndsWith("_ENVIRONMENT", StringComparison.Ordinal) || inherited.StartsWith("Kestrel__", StringComparison.Ordinal)))
            {
                environment[inherited] = null; // a container starts with none of them
            }
        }

        var arguments = command.Skip(2).Concat(container["args"].Items.Select(i => i.Text!));
        var process = HostProcess.Start(deployment, image.PathOf(command[1]), 0, arguments, environment, workingDirectory: Path.GetTempPath());
        return new Pod(deployment, template, process);
    }

    /// <summary>The pod's metrics, read where its annotations tell Prometheus to.</summary>
    public async Task<string> ScrapeAsync()
    {
        var annotations = _template["metadata"]["annotations"];
        return await _http.GetStringAsync(new Uri($"http://127.0.0.1:{annotations.Required("prometheus.io/port")}{annotations.Required("prometheus.io/path")}"));
    }

    /// <summary>Whether the probe (startupProbe, readinessProbe, livenessProbe) passes now.</summary>
    public async Task<bool> PassesAsync(string probe)
    {
        var get = _container[probe]["httpGet"];
        var uri = new Uri($"http://127.0.0.1:{Manifests.ResolvePort(_container, get.Required("port"))}{get.Required("path")}");
        try
        {
            using var response = await _http.GetAsync(uri);
            return response.StatusCode == HttpStatusCode.OK; // the kubelet takes any 2xx or 3xx; ours answer 200 or 503
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    public async Task WaitUntilAsync(string probe, TimeSpan patience) =>
        await Polling.Until(async () => Process.HasExited ? throw new InvalidOperationException($"{Name} exited{Environment.NewLine}{Process.Output}") : await PassesAsync(probe),
            patience, () => $"{Name}'s {probe} does not pass{Environment.NewLine}{Process.Output}");

    /// <summary>The pod's port behind a named container port.</summary>
    public int Port(string name) => Manifests.ResolvePort(_container, name);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        return Process.DisposeAsync();
    }
}

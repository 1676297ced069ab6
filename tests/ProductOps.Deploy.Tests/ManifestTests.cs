using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using ProductOps.Testing;

namespace ProductOps.Deploy.Tests;

/// <summary>The manifests against each other, the image and the documented settings: what
/// <c>kubectl apply</c> would accept but a cluster would then get wrong.</summary>
public sealed partial class ManifestTests
{
    private static readonly string[] Probes = ["startupProbe", "readinessProbe", "livenessProbe"];

    private readonly Manifests _manifests = Manifests.Load();

    [Fact]
    public void Kustomization_ListsEveryManifestInTheFolder()
    {
        var files = Directory.EnumerateFiles(Manifests.Folder, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");

        Assert.Equal(files.Order(), _manifests.Resources.Order());
        Assert.All(_manifests.Objects, o =>
        {
            Assert.NotNull(o["apiVersion"].Text);
            Assert.NotNull(o["kind"].Text);
            Assert.NotNull(o["metadata"]["name"].Text);
        });
    }

    [Fact]
    public void Selectors_EachSelectsThePodsOfExactlyOneDeployment()
    {
        var deployments = _manifests.OfKind("Deployment").ToList();
        foreach (var deployment in deployments)
        {
            Assert.True(Selects(deployment["spec"]["selector"]["matchLabels"].Strings, Manifests.PodLabels(deployment)), $"{Name(deployment)} does not select its own pods");
        }

        var selectors = _manifests.OfKind("Service").Select(s => (Name(s), s["spec"]["selector"].Strings))
            .Concat(_manifests.OfKind("PodDisruptionBudget").Select(b => (Name(b), b["spec"]["selector"]["matchLabels"].Strings)))
            .Concat(_manifests.OfKind("NetworkPolicy").Select(p => (Name(p), p["spec"]["podSelector"]["matchLabels"].Strings)));
        foreach (var (name, selector) in selectors)
        {
            Assert.True(deployments.Count(d => Selects(selector, Manifests.PodLabels(d))) == 1, $"{name} does not select exactly one Deployment's pods");
        }
    }

    [Fact]
    public void Ports_ProbesServicesAndSettingsUseTheContainersDeclaredPorts()
    {
        foreach (var deployment in _manifests.OfKind("Deployment"))
        {
            var container = Manifests.ContainerOf(deployment);
            var declared = Manifests.PortsOf(container).Values.ToHashSet();
            foreach (var probe in Probes.Select(p => container[p]).Where(p => p.Exists))
            {
                Assert.Contains(Manifests.ResolvePort(container, probe["httpGet"].Required("port")), declared);
            }

            // Every port a process is told to listen on, other than loopback-only ones, is declared.
            foreach (var variable in container["env"].Items.Where(v => v["value"].Exists))
            {
                var value = variable.Required("value");
                var port = UrlPort().Match(value) is { Success: true } url && url.Groups["host"].Value != "127.0.0.1" ? url.Groups["port"].Value
                    : variable.Required("name").EndsWith("Port", StringComparison.Ordinal) ? value
                    : null;
                if (port is not null)
                {
                    Assert.True(declared.Contains(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)), $"{Name(deployment)}: {variable.Required("name")}={value} is not a declared port");
                }
            }
        }

        foreach (var policy in _manifests.OfKind("NetworkPolicy"))
        {
            var pods = _manifests.OfKind("Deployment").Single(d => Selects(policy["spec"]["podSelector"]["matchLabels"].Strings, Manifests.PodLabels(d)));
            foreach (var port in policy["spec"]["ingress"].Items.SelectMany(rule => rule["ports"].Items))
            {
                Manifests.ResolvePort(Manifests.ContainerOf(pods), port.Required("port"));
            }
        }

        foreach (var service in _manifests.OfKind("Service"))
        {
            var pods = _manifests.OfKind("Deployment").Single(d => Selects(service["spec"]["selector"].Strings, Manifests.PodLabels(d)));
            foreach (var port in service["spec"]["ports"].Items)
            {
                Manifests.ResolvePort(Manifests.ContainerOf(pods), port.Required("targetPort"));
            }
        }
    }

    [Fact]
    public void Settings_SilosAndGatewaysJoinOneCluster()
    {
        // Two keys for one identity (the silo's and the gateway's sections): a gateway that names
        // another cluster retries for ever and never becomes ready.
        var settings = _manifests.Named("ConfigMap", "productops-settings")["data"].Strings;

        Assert.Equal(settings["ProductOps__Silo__ClusterId"], settings["ProductOps__Cluster__ClusterId"]);
        Assert.Equal(settings["ProductOps__Silo__ServiceId"], settings["ProductOps__Cluster__ServiceId"]);
    }

    [Fact]
    public void Metrics_EveryPodAnnotatedForScrapingOnItsHttpPort()
    {
        foreach (var deployment in _manifests.OfKind("Deployment"))
        {
            var annotations = deployment["spec"]["template"]["metadata"]["annotations"].Strings;
            var http = Manifests.PortsOf(Manifests.ContainerOf(deployment))["http"];

            Assert.Equal("true", annotations.GetValueOrDefault("prometheus.io/scrape"));
            Assert.Equal(http.ToString(System.Globalization.CultureInfo.InvariantCulture), annotations.GetValueOrDefault("prometheus.io/port"));
            Assert.Equal("/metrics", annotations.GetValueOrDefault("prometheus.io/path"));
        }
    }

    [Fact]
    public void Silo_GracePeriodOutlastsItsShutdownTimeout()
    {
        var grace = _manifests.GracePeriodOf("productops-silo");
        var shutdown = ShutdownTimeoutOf(_manifests.Named("Deployment", "productops-silo"));

        // Past the grace period the kubelet kills the silo before its grains have persisted.
        Assert.True(grace >= shutdown + TimeSpan.FromSeconds(10), $"grace {grace} leaves too little beyond the shutdown timeout {shutdown}");
    }

    [Fact]
    public void Silo_RollingUpdateStopsOneSiloAtATime()
    {
        var silo = _manifests.Named("Deployment", "productops-silo");
        var rolling = silo["spec"]["strategy"]["rollingUpdate"];

        // A new silo joins before an old one leaves...
        Assert.Equal("0", rolling.Required("maxUnavailable"));
        Assert.Equal("1", rolling.Required("maxSurge"));
        // ...and the next old one gets SIGTERM only after the previous one has had its whole
        // shutdown timeout: the controller creates the next new pod as soon as it terminates an
        // old one, and makes it available minReadySeconds after it is ready.
        var minReady = silo["spec"]["minReadySeconds"].Text is { } text ? TimeSpan.FromSeconds(int.Parse(text, System.Globalization.CultureInfo.InvariantCulture)) : TimeSpan.Zero;
        Assert.True(minReady >= ShutdownTimeoutOf(silo), $"minReadySeconds {minReady} is under the silo's shutdown timeout {ShutdownTimeoutOf(silo)}: old silos would stop side by side");
    }

    [Fact]
    public void Commands_RunAssembliesTheDockerfilePublishes()
    {
        var published = DockerImage.PublishCommands().ToDictionary(c => c.Folder, c => DockerImage.AssemblyOf(c.Arguments));
        foreach (var deployment in _manifests.OfKind("Deployment"))
        {
            var command = Manifests.ContainerOf(deployment)["command"].Items.Select(i => i.Text!).ToList();

            Assert.Equal("dotnet", command[0]);
            Assert.True(
                published.TryGetValue(Path.GetDirectoryName(command[1])!, out var assembly) && assembly + ".dll" == Path.GetFileName(command[1]),
                $"{Name(deployment)} runs {command[1]}, which no publish in the Dockerfile puts there");
        }
    }

    [Fact]
    public void Settings_AreProductOpsSettingsTheReadmeDocuments()
    {
        var documented = DocumentedSettings();
        var set = _manifests.OfKind("ConfigMap").SelectMany(c => c["data"].Strings.Keys)
            .Concat(_manifests.OfKind("Deployment").SelectMany(d => Manifests.ContainerOf(d)["env"].Items.Select(v => v.Required("name"))))
            .Where(name => name.StartsWith("ProductOps__", StringComparison.Ordinal))
            .Select(name => name.Replace("__", ":", StringComparison.Ordinal));

        // A misspelt key is ignored by the configuration binder without a word; here it fails.
        Assert.All(set, key => Assert.True(documented.Contains(key), $"{key} is not in README.md's configuration table"));
    }

    [Fact]
    public void StringFields_HoldNoBareNumbersOrBooleans()
    {
        // ConfigMap data and env values are strings: the API server refuses `32` or `true` there,
        // which a parser that reads every scalar as text (like this project's) would never notice.
        var bare = new List<string>();
        foreach (var resource in _manifests.Resources)
        {
            var stream = new YamlStream();
            using (var reader = File.OpenText(Path.Combine(Manifests.Folder, resource)))
            {
                stream.Load(reader);
            }

            foreach (var root in stream.Documents.Select(d => (YamlMappingNode)d.RootNode))
            {
                var values = Child(root, "kind") is YamlScalarNode { Value: "ConfigMap" } && Child(root, "data") is YamlMappingNode data
                    ? data.Children.Select(c => (Name: ((YamlScalarNode)c.Key).Value!, c.Value))
                    : EnvValues(root);
                bare.AddRange(values.Where(v => v.Value is YamlScalarNode { Style: ScalarStyle.Plain } scalar && TypedPlainScalar().IsMatch(scalar.Value ?? ""))
                    .Select(v => $"{resource}: {v.Name}"));
            }
        }

        Assert.Empty(bare);
    }

    private static TimeSpan ShutdownTimeoutOf(Yaml silo) => TimeSpan.Parse(
        Manifests.ContainerOf(silo)["env"].Items.Single(v => v.Required("name") == "ProductOps__Silo__ShutdownTimeout").Required("value"),
        System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<(string Name, YamlNode Value)> EnvValues(YamlMappingNode root)
    {
        var podSpec = Child(Child(Child(root, "spec"), "template"), "spec");
        foreach (var container in (Child(podSpec, "containers") as YamlSequenceNode)?.Children ?? [])
        {
            foreach (var variable in (Child(container, "env") as YamlSequenceNode)?.Children ?? [])
            {
                if (Child(variable, "value") is { } value)
                {
                    yield return (((YamlScalarNode)Child(variable, "name")!).Value!, value);
                }
            }
        }
    }

    private static YamlNode? Child(YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    /// <summary>The keys of README.md's configuration table: "`A:B:C`, `D`" documents A:B:C and A:B:D.</summary>
    private static HashSet<string> DocumentedSettings()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepoLayout.Root, "README.md")).Where(l => l.StartsWith("| `ProductOps:", StringComparison.Ordinal)))
        {
            var names = Regex.Matches(line.Split('|')[1], "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();
            var parent = names[0][..names[0].LastIndexOf(':')];
            keys.Add(names[0]);
            keys.UnionWith(names.Skip(1).Select(sibling => parent + ":" + sibling));
        }

        return keys;
    }

    private static bool Selects(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static string Name(Yaml o) => $"{o["kind"].Text} {o["metadata"]["name"].Text}";

    /// <summary>Plain scalars YAML reads as numbers, booleans or null.</summary>
    [GeneratedRegex(@"^([-+]?[0-9][0-9_.]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|true|false|True|False|TRUE|FALSE|yes|no|on|off|null|~)$")]
    private static partial Regex TypedPlainScalar();

    [GeneratedRegex(@"^https?://(?<host>[^:/]+):(?<port>\d+)")]
    private static partial Regex UrlPort();
}

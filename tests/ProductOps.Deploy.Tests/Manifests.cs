using ProductOps.Testing;

namespace ProductOps.Deploy.Tests;

/// <summary>deploy/kubernetes as <c>kubectl apply -k</c> reads it: the kustomization's resources and
/// the objects they hold.</summary>
public sealed class Manifests
{
    private Manifests(IReadOnlyList<string> resources, IReadOnlyList<Yaml> objects)
    {
        Resources = resources;
        Objects = objects;
    }

    public static string Folder { get; } = Path.Combine(RepoLayout.Root, "deploy", "kubernetes");

    /// <summary>The files the kustomization lists, in its order.</summary>
    public IReadOnlyList<string> Resources { get; }

    public IReadOnlyList<Yaml> Objects { get; }

    public static Manifests Load()
    {
        var kustomization = Yaml.Documents(Path.Combine(Folder, "kustomization.yaml")).Single();
        var resources = kustomization["resources"].Items.Select(item => item.Text!).ToList();
        var objects = resources.SelectMany(resource => Yaml.Documents(Path.Combine(Folder, resource))).ToList();
        return new Manifests(resources, objects);
    }

    public IEnumerable<Yaml> OfKind(string kind) => Objects.Where(o => o["kind"].Text == kind);

    public Yaml Named(string kind, string name) =>
        OfKind(kind).SingleOrDefault(o => o["metadata"]["name"].Text == name)
        ?? throw new InvalidOperationException($"no {kind} named {name} in {Folder}");

    /// <summary>The one container of a Deployment's pods.</summary>
    public static Yaml ContainerOf(Yaml deployment) => deployment["spec"]["template"]["spec"]["containers"].Items.Single();

    public static IReadOnlyDictionary<string, string> PodLabels(Yaml deployment) =>
        deployment["spec"]["template"]["metadata"]["labels"].Strings;

    /// <summary>The container's ports by name.</summary>
    public static IReadOnlyDictionary<string, int> PortsOf(Yaml container) =>
        container["ports"].Items.ToDictionary(p => p.Required("name"), p => p.RequiredInt("containerPort"));

    /// <summary>How long the kubelet waits after SIGTERM before it kills a Deployment's pod.</summary>
    public TimeSpan GracePeriodOf(string deployment) =>
        TimeSpan.FromSeconds(Named("Deployment", deployment)["spec"]["template"]["spec"].RequiredInt("terminationGracePeriodSeconds"));

    /// <summary>A probe's or Service's port: a name of the container's ports, or a number.</summary>
    public static int ResolvePort(Yaml container, string port) =>
        int.TryParse(port, out var number) ? number
        : PortsOf(container).TryGetValue(port, out var named) ? named
        : throw new InvalidOperationException($"port '{port}' is not one of the container's ports");

    /// <summary>
    /// The container's environment as the kubelet builds it: <c>envFrom</c> first, then
    /// <c>env</c> in order, <c>$(NAME)</c> expanded from what is defined before it. ConfigMaps
    /// come from the manifests; Secrets, which operators create, from <paramref name="secrets"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(
        Yaml container, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets, string podIp)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in container["envFrom"].Items)
        {
            var data = source["configMapRef"].Exists
                ? Named("ConfigMap", source["configMapRef"].Required("name"))["data"].Strings
                : SecretNamed(secrets, source["secretRef"].Required("name"));
            foreach (var (key, value) in data)
            {
                environment[key] = value;
            }
        }

        foreach (var variable in container["env"].Items)
        {
            var name = variable.Required("name");
            var from = variable["valueFrom"];
            environment[name] =
                from["fieldRef"].Exists ? FieldOf(from["fieldRef"].Required("fieldPath"), podIp)
                : from["secretKeyRef"].Exists ? SecretKey(secrets, from["secretKeyRef"])
                : Expand(variable.Required("value"), environment);
        }

        return environment;
    }

    private static string FieldOf(string path, string podIp) =>
        path == "status.podIP" ? podIp : throw new InvalidOperationException($"field {path} is not simulated here");

    private static IReadOnlyDictionary<string, string> SecretNamed(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets, string name) =>
        secrets.TryGetValue(name, out var secret) ? secret
        : throw new InvalidOperationException($"the manifests use Secret {name}, which deploy/README.md does not tell operators to create");

    private static string SecretKey(IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> secrets, Yaml reference)
    {
        var secret = SecretNamed(secrets, reference.Required("name"));
        var key = reference.Required("key");
        return secret.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"Secret {reference.Required("name")} has no key {key}");
    }

    private static string Expand(string value, IReadOnlyDictionary<string, string> defined)
    {
        foreach (var (name, definedValue) in defined)
        {
            value = value.Replace($"$({name})", definedValue, StringComparison.Ordinal);
        }

        return value;
    }
}

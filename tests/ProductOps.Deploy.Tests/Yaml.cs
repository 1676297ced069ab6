using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace ProductOps.Deploy.Tests;

/// <summary>A node of a parsed YAML document: a map, a list or a scalar, or missing. Reading a
/// missing key gives a missing node, so a check reads paths and then asserts on what it got.</summary>
public sealed class Yaml(object? value)
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public static Yaml Missing { get; } = new(null);

    public bool Exists => value is not null;

    public string? Text => value as string;

    public Yaml this[string key] =>
        value is IDictionary<object, object> map && map.TryGetValue(key, out var child) ? new Yaml(child) : Missing;

    public IEnumerable<Yaml> Items => value is IList<object> list ? list.Select(item => new Yaml(item)) : [];

    public IEnumerable<KeyValuePair<string, Yaml>> Entries =>
        value is IDictionary<object, object> map ? map.Select(e => KeyValuePair.Create((string)e.Key, new Yaml(e.Value))) : [];

    /// <summary>A map of scalars (labels, selectors, ConfigMap data) as strings.</summary>
    public IReadOnlyDictionary<string, string> Strings => Entries.ToDictionary(e => e.Key, e => e.Value.Text ?? string.Empty);

    public string Required(string key) =>
        this[key].Text ?? throw new InvalidOperationException($"'{key}' is missing or not a scalar");

    public int RequiredInt(string key) => int.Parse(Required(key), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every document of a multi-document YAML file.</summary>
    public static IReadOnlyList<Yaml> Documents(string path)
    {
        using var reader = File.OpenText(path);
        var parser = new Parser(reader);
        parser.Consume<StreamStart>();
        var documents = new List<Yaml>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(new Yaml(Deserializer.Deserialize<object>(parser)));
        }

        return documents;
    }
}

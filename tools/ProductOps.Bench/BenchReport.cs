using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>The run's results: the top-level figures, the targets they are checked against, the
/// details of every phase; printed as a table and written as JSON.</summary>
internal sealed class BenchReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly JsonObject _root = [];
    private readonly List<TargetCheck> _targets = [];

    public JsonObject Root => _root;

    public void Set(string key, JsonNode? value) => _root[key] = value;

    public void Set(string key, double? value, int decimals = 2) =>
        _root[key] = value is { } v && double.IsFinite(v) ? Math.Round(v, decimals) : null;

    public double? Get(string key) => _root[key] is JsonValue value && value.TryGetValue<double>(out var d) ? d : null;

    public void AddTarget(TargetCheck target) => _targets.Add(target);

    public async Task WriteJsonAsync(string path)
    {
        _root["targets"] = new JsonArray([.. _targets.Select(t => (JsonNode)new JsonObject
        {
            ["figure"] = t.Figure,
            ["target"] = t.Target,
            ["measured"] = t.Measured is { } m ? Math.Round(m, 2) : null,
            ["unit"] = t.Unit,
            ["met"] = t.Met,
        })]);
        await File.WriteAllTextAsync(path, _root.ToJsonString(Indented));
    }

    public string Table()
    {
        var rows = _targets.Select(t => new[]
        {
            t.Figure,
            t.Target,
            t.Measured is { } m ? Format(m) + " " + t.Unit : "n/a",
            t.Met switch { true => "met", false => "MISSED", null => "not measured" },
        }).ToList();
        rows.Insert(0, ["figure", "target", "measured", ""]);
        var widths = Enumerable.Range(0, 4).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var (row, index) in rows.Select((r, i) => (r, i)))
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            if (index == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        return text.ToString();
    }

    private static string Format(double value) => Math.Abs(value) >= 100
        ? value.ToString("N0", CultureInfo.InvariantCulture)
        : value.ToString("0.##", CultureInfo.InvariantCulture);
}

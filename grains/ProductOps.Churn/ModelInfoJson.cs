using System.Text.Json;

namespace ProductOps.Churn;

/// <summary>How every registry stores a model's info: one JSON document, so the SQLite and
/// PostgreSQL registries read and write the same shape.</summary>
public static class ModelInfoJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(ChurnModelInfo info) => JsonSerializer.Serialize(info, Options);

    /// <summary>Reads the info back, marked active when its version is <paramref name="activeVersion"/>.</summary>
    public static ChurnModelInfo Deserialize(string json, int? activeVersion)
    {
        var info = JsonSerializer.Deserialize<ChurnModelInfo>(json, Options)
            ?? throw new InvalidDataException("A churn model's info is empty.");
        return info with { IsActive = info.Version == activeVersion };
    }

    /// <summary>The info of a freshly trained model, not yet active.</summary>
    public static ChurnModelInfo Describe(string tenant, int version, ChurnTrainingResult result, TrainingSet data, long createdAtMs)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(data);
        return new ChurnModelInfo(
            tenant, version, createdAtMs, result.Trainer, result.Parameters, data.DataFromMs, data.DataToMs, data.HorizonDays,
            result.Model, result.Baseline, result.TrainExamples, result.ValidationExamples, IsActive: false);
    }
}

namespace ProductOps.Grains.Abstractions.Training;

/// <summary>A model in a tenant's registry (see ProductOps.Churn.ChurnModelInfo).</summary>
[GenerateSerializer, Immutable, Alias("productops.model-summary")]
public sealed record ModelSummary(
    [property: Id(0)] int Version,
    [property: Id(1)] long CreatedAtMs,
    [property: Id(2)] string Trainer,
    [property: Id(3)] IReadOnlyDictionary<string, string> Parameters,
    [property: Id(4)] long DataFromMs,
    [property: Id(5)] long DataToMs,
    [property: Id(6)] int HorizonDays,
    [property: Id(7)] ModelMetrics Model,
    [property: Id(8)] ModelMetrics Baseline,
    [property: Id(9)] int TrainExamples,
    [property: Id(10)] int ValidationExamples,
    [property: Id(11)] bool IsActive,
    [property: Id(12)] bool BeatsBaseline);

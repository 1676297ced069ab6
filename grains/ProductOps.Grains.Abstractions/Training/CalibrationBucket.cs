namespace ProductOps.Grains.Abstractions.Training;

/// <summary>One calibration row: predictions in [Low, High) and how often they came true.</summary>
[GenerateSerializer, Immutable, Alias("productops.calibration-bucket")]
public sealed record CalibrationBucket(
    [property: Id(0)] double Low,
    [property: Id(1)] double High,
    [property: Id(2)] int Count,
    [property: Id(3)] double MeanPredicted,
    [property: Id(4)] double ObservedRate);

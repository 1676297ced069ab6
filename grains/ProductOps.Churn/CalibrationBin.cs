namespace ProductOps.Churn;

/// <summary>One row of a calibration table: predictions in [Low, High) and how often they came true.</summary>
public sealed record CalibrationBin(double Low, double High, int Count, double MeanPredicted, double ObservedRate);

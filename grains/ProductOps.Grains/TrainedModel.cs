namespace ProductOps.Grains;

/// <summary>What a successful training stored: the model's version and whether it became active.</summary>
internal sealed record TrainedModel(int Version, bool Activated);

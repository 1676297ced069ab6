namespace ProductOps.Domain;

/// <summary>How a user used one feature, held by value beside the feature's name (<see cref="UserFeatures"/>).</summary>
public struct FeatureUse
{
    public long Count { get; set; }

    public long FirstUseMs { get; set; }

    public long LastUseMs { get; set; }
}

namespace ProductOps.Grains.Abstractions;

/// <summary>What a tenant's sweep knows.</summary>
/// <param name="ActiveModelVersion">The tenant's active model when last checked; 0 for none.</param>
/// <param name="SweptModelVersion">The model the last completed sweep scored every user with; 0 before any.</param>
/// <param name="SweptAtMs">The tenant-clock time the last completed sweep scored at.</param>
/// <param name="UsersSwept">Users the last completed sweep rescored.</param>
/// <param name="SweptAlertThreshold">The alert threshold the last completed sweep judged users with; 0 before any.</param>
[GenerateSerializer, Immutable, Alias("productops.churn-sweep-status")]
public sealed record ChurnSweepStatus(
    [property: Id(0)] int ActiveModelVersion,
    [property: Id(1)] int SweptModelVersion,
    [property: Id(2)] long SweptAtMs,
    [property: Id(3)] int UsersSwept,
    [property: Id(4)] double SweptAlertThreshold);

namespace ProductOps.Domain;

/// <summary>Where a user stands, judged at the tenant clock's now.</summary>
public enum Lifecycle
{
    Unknown = 0,
    New = 1,
    Active = 2,
    Returning = 3,
    Dormant = 4,
    Churned = 5,
}

namespace ProductOps.Domain;

/// <summary>How a tenant's events are interpreted: its clock, churn horizon and the event names
/// that mean a user left.</summary>
[GenerateSerializer, Immutable, Alias("productops.tenant-rules")]
public sealed record TenantRules(
    [property: Id(0)] TenantClock Clock,
    [property: Id(1)] int ChurnHorizonDays,
    [property: Id(2)] IReadOnlyList<string> ChurnEvents)
{
    public const int DormantAfterDays = 7;

    public static TenantRules Default { get; } = new(TenantClock.Wall, 14, ["subscription_cancelled"]);

    public bool IsChurnEvent(string name)
    {
        // By index: a foreach over the interface would allocate an enumerator per event.
        for (var i = 0; i < ChurnEvents.Count; i++)
        {
            if (string.Equals(ChurnEvents[i], name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}

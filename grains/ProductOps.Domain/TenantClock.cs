namespace ProductOps.Domain;

/// <summary>What "now" means for a tenant.</summary>
public enum TenantClock
{
    /// <summary>Server wall time: live products.</summary>
    Wall = 0,

    /// <summary>The latest event time seen (the watermark): imported histories and replays.</summary>
    Event = 1,
}

namespace ProductOps.Domain;

/// <summary>What one request and one event may hold (configuration section "ProductOps:Limits").
/// Defaults match what users of the peers already know.</summary>
public sealed class IngestLimits
{
    public const string Section = "ProductOps:Limits";

    public int MaxEventsPerRequest { get; set; } = 1000;

    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    public int MaxEventBytes { get; set; } = 32 * 1024;

    public int MaxProperties { get; set; } = 255;

    /// <summary>Longest event id, user id, event name, feature, session id, batch id or property key.</summary>
    public int MaxIdLength { get; set; } = 200;

    /// <summary>Most distinct features a tenant may have; an event with a new feature past it is
    /// rejected on its <c>feature</c>.</summary>
    public int MaxFeaturesPerTenant { get; set; } = 10_000;

    /// <summary>How far ahead of server time an event may be; past timestamps are all accepted.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromHours(1);
}

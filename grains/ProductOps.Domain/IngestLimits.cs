namespace ProductOps.Domain;

/// <summary>What one request and one event may hold (configuration section "ProductOps:Limits").
/// Defaults match what users of the peers already know.</summary>
public sealed class IngestLimits
{
    public const string Section = "ProductOps:Limits";

    /// <summary>Most events in one Track request (or one TrackStream message).</summary>
    public int MaxEventsPerRequest { get; set; } = 1000;

    /// <summary>Most bytes of one encoded Track request; gRPC's own ceiling is derived from it.</summary>
    public int MaxRequestBytes { get; set; } = 1024 * 1024;

    /// <summary>Most bytes of one encoded event (or Identify request).</summary>
    public int MaxEventBytes { get; set; } = 32 * 1024;

    /// <summary>Most properties of one event (or traits of one Identify).</summary>
    public int MaxProperties { get; set; } = 255;

    /// <summary>Longest event id, user id, event name, feature, session id, batch id or property key.</summary>
    public int MaxIdLength { get; set; } = 200;

    /// <summary>Most distinct features a tenant may have; an event with a new feature past it is
    /// rejected on its <c>feature</c>.</summary>
    public int MaxFeaturesPerTenant { get; set; } = 10_000;

    /// <summary>How far ahead of server time an event may be; past timestamps are all accepted.</summary>
    public TimeSpan MaxFutureSkew { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest |value| of one event. A trillion is above any single amount, duration or
    /// score a product sends, in any unit, and keeps every sum of values finite (a finite double
    /// as large as 1e308 would turn the sums it joins into infinity, and their means into NaN, for good).</summary>
    public double MaxAbsValue { get; set; } = 1e12;
}

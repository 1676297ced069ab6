using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>Short-hand for hand-written events in unit tests.</summary>
internal static class Events
{
    public const string Tenant = "acme";

    /// <summary>2025-01-01T00:00Z as a UTC day number, so hand-written days read as offsets.</summary>
    public const int Day0 = 20_089;

    private static int _nextId;

    public static long At(int day, int hour = 12, int minute = 0) =>
        TimeBuckets.DayStartMs(Day0 + day) + (hour * TimeBuckets.MsPerHour) + (minute * 60_000L);

    public static TrackedEvent Usage(
        string user, long timestampMs, string name = "click", string feature = "", double value = 0, string session = "") =>
        new(Tenant, user, NextId(), name, feature, timestampMs, value, session, null);

    public static TrackedEvent Identify(string user, long timestampMs, params (string Key, string Value)[] traits) =>
        new(Tenant, user, NextId(), EventNames.Identify, string.Empty, timestampMs, 0, string.Empty,
            traits.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal));

    private static string NextId() => $"ev-{Interlocked.Increment(ref _nextId)}";
}

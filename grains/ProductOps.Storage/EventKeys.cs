using ProductOps.Domain;
using StableHash = ProductOps.Domain.StableHash;

namespace ProductOps.Storage;

/// <summary>The 64-bit keys of the event log's dedup index. Stable across processes: stored.</summary>
public static class EventKeys
{
    /// <summary>Identifies a tenant's user.</summary>
    public static long UserKey(string tenant, string userId) => unchecked((long)StableHash.OfPair(tenant, userId));

    /// <summary>Identifies an event id within a user; <paramref name="salt"/> &gt; 0 only after a collision.</summary>
    public static long EventKey(string eventId, int salt) => salt == 0
        ? StableHash.Of(eventId)
        : unchecked((long)StableHash.OfPair(eventId, salt.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}

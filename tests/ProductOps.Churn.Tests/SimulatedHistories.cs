using ProductOps.Churn;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Simulator;

namespace ProductOps.Churn.Tests;

/// <summary>A simulation's events as the log would hold them (identify calls and events in time
/// order), grouped per user.</summary>
internal static class SimulatedHistories
{
    public const string Tenant = "sim";

    public static List<UserHistory> Of(ProductSimulation simulation)
    {
        var byUser = new Dictionary<string, List<TrackedEvent>>(StringComparer.Ordinal);
        foreach (var identify in simulation.Identifies())
        {
            ListOf(byUser, identify.UserId).Add(new TrackedEvent(
                Tenant, identify.UserId, identify.EventId, EventNames.Identify, string.Empty,
                identify.Timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds(), 0, string.Empty,
                new Dictionary<string, string>(identify.Traits, StringComparer.Ordinal)));
        }

        foreach (var e in simulation.Events())
        {
            ListOf(byUser, e.UserId).Add(ToTracked(e));
        }

        return [.. byUser.Select(u => new UserHistory(u.Key, u.Value))];
    }

    public static TrackedEvent ToTracked(Event e) => new(
        Tenant, e.UserId, e.EventId, e.Name, e.Feature, e.Timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds(),
        e.Value, e.SessionId, e.Properties.Count == 0 ? null : new Dictionary<string, string>(e.Properties, StringComparer.Ordinal));

    private static List<TrackedEvent> ListOf(Dictionary<string, List<TrackedEvent>> byUser, string userId)
    {
        if (!byUser.TryGetValue(userId, out var list))
        {
            byUser[userId] = list = [];
        }

        return list;
    }
}

using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Simulator;

namespace ProductOps.Churn.Benchmarks;

/// <summary>A simulation's events as the log would hold them, grouped per user.</summary>
internal static class Histories
{
    public static List<UserHistory> Of(ProductSimulation simulation)
    {
        var byUser = new Dictionary<string, List<TrackedEvent>>(StringComparer.Ordinal);
        foreach (var e in simulation.Events())
        {
            if (!byUser.TryGetValue(e.UserId, out var list))
            {
                byUser[e.UserId] = list = [];
            }

            list.Add(new TrackedEvent(
                "bench", e.UserId, e.EventId, e.Name, e.Feature, e.Timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                e.Value, e.SessionId, null));
        }

        return [.. byUser.Select(u => new UserHistory(u.Key, u.Value))];
    }
}

using ProductOps.Domain;

namespace ProductOps.Churn.Tests;

/// <summary>What a live user grain holds at a time: the user's events before it, applied in log order.</summary>
internal static class LiveUserState
{
    public static UserActivity Before(UserHistory user, long cutoffMs, TenantRules rules)
    {
        var live = new UserActivity();
        var deltas = new List<CounterDelta>();
        foreach (var e in user.Events.Where(e => e.TimestampMs < cutoffMs))
        {
            live.Apply(e, rules, deltas);
        }

        return live;
    }
}

using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>Drives the live state machine the way the grains do: one <see cref="UserActivity"/>
/// per user, events in log order, the event's own deltas and the user's summed into its feature's or
/// the tenant's counters.</summary>
internal sealed class LiveReplay
{
    private LiveReplay()
    {
    }

    public CounterSet Tenant { get; } = new();

    public Dictionary<string, CounterSet> Features { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, UserActivity> Users { get; } = new(StringComparer.Ordinal);

    public static LiveReplay Run(IEnumerable<TrackedEvent> log, TenantRules rules)
    {
        var live = new LiveReplay();
        var deltas = new List<CounterDelta>();
        foreach (var e in log)
        {
            if (!live.Users.TryGetValue(e.UserId, out var user))
            {
                user = new UserActivity();
                live.Users[e.UserId] = user;
            }

            deltas.Clear();
            EventCounters.AddTo(e, deltas);
            user.Apply(e, rules, deltas);
            foreach (var delta in deltas)
            {
                live.CountersOf(delta.Feature).Add(delta);
            }
        }

        return live;
    }

    private CounterSet CountersOf(string feature)
    {
        if (feature.Length == 0)
        {
            return Tenant;
        }

        if (!Features.TryGetValue(feature, out var counters))
        {
            counters = new CounterSet();
            Features[feature] = counters;
        }

        return counters;
    }
}

namespace ProductOps.Domain;

/// <summary>What <see cref="ReplayOracle.Replay"/> computes for one tenant: its counters, each
/// feature's counters and every user's snapshot on demand.</summary>
public sealed class OracleResult
{
    private static readonly IReadOnlyList<TrackedEvent> NoEvents = [];

    private readonly IReadOnlyDictionary<string, IReadOnlyList<TrackedEvent>> _userEvents;
    private readonly TenantRules _rules;

    internal OracleResult(
        CounterSet tenant,
        IReadOnlyDictionary<string, CounterSet> features,
        IReadOnlyDictionary<string, IReadOnlyList<TrackedEvent>> userEvents,
        TenantRules rules)
    {
        Tenant = tenant;
        Features = features;
        _userEvents = userEvents;
        _rules = rules;
    }

    /// <summary>The tenant's counters (feature = none).</summary>
    public CounterSet Tenant { get; }

    /// <summary>Counters of every feature used at least once, by feature name.</summary>
    public IReadOnlyDictionary<string, CounterSet> Features { get; }

    /// <summary>Every user with at least one event, Identify included.</summary>
    public IReadOnlyCollection<string> UserIds => [.. _userEvents.Keys];

    /// <summary>The user's snapshot at <paramref name="asOfMs"/>; an empty one for an unknown user.</summary>
    public UserSnapshot User(string userId, long asOfMs) =>
        ReplayOracle.UserAt(userId, _userEvents.GetValueOrDefault(userId) ?? NoEvents, _rules, asOfMs);
}

using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>
/// Builds point-in-time training examples from users' logged histories: for each cutoff, the
/// user's state is rebuilt from their events before the cutoff only, and the features are
/// <see cref="ChurnFeatures.Compute"/> of that state (the very function the live grain runs).
/// The label says whether the user churned in [cutoff, cutoff + H): no usage event in it, or one
/// of the tenant's churn events in it. Users who have cancelled as of the cutoff (a churn event
/// with no later usage, <see cref="UserActivity.CancelledAtMs"/>: the rule by which serving
/// scores nobody who left) are skipped; users who cancelled and came back, and merely inactive
/// users, are kept, as serving scores them.
/// </summary>
public static class TrainingSetBuilder
{
    /// <summary>Daily cutoffs (UTC midnights) whose label window lies inside the data.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (see <see cref="TrainingSetOptions.Validate"/>).</exception>
    public static IReadOnlyList<long> CutoffsFor(long dataFromMs, long dataToMs, int horizonDays, TrainingSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        var first = TimeBuckets.DayOf(dataFromMs) + options.MinHistoryDays;
        // The label window [c, c + H) must end by the latest event time seen.
        var last = TimeBuckets.DayOf(dataToMs) - horizonDays;
        var cutoffs = new List<long>();
        for (var day = last; day >= first && cutoffs.Count < options.MaxCutoffs; day -= options.CutoffEveryDays)
        {
            cutoffs.Add(TimeBuckets.DayStartMs(day));
        }

        cutoffs.Reverse();
        return cutoffs;
    }

    /// <summary>Builds the examples of every user at every cutoff the data allows.</summary>
    public static TrainingSet Build(IEnumerable<UserHistory> users, TenantRules rules, TrainingSetOptions options)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(rules);
        var list = users as IReadOnlyCollection<UserHistory> ?? [.. users];
        var range = new EventTimeRange();
        foreach (var user in list)
        {
            range.AddAll(user.Events);
        }

        if (range.IsEmpty)
        {
            return new TrainingSet([], [], 0, 0, rules.ChurnHorizonDays);
        }

        var accumulator = new TrainingSetAccumulator(CutoffsFor(range.FromMs, range.ToMs, rules.ChurnHorizonDays, options), rules);
        foreach (var user in list)
        {
            accumulator.Add(user);
        }

        return accumulator.ToSet(range.FromMs, range.ToMs);
    }

    /// <summary>The user's features at each cutoff, from their events before it only; null where
    /// the user had no usage yet. Trait slots are left 0 (see <see cref="StatesAt"/>).</summary>
    public static float[]?[] FeaturesAt(UserHistory user, IReadOnlyList<long> cutoffsMs, TenantRules rules) =>
        [.. StatesAt(user, cutoffsMs, rules).Select(state => state?.Features)];

    /// <summary>The user's behaviour features, traits and cancellation at each cutoff, from their
    /// events before it only; null where the user had no usage yet. The trait slots are left 0:
    /// each model fills them with the traits it chose. The state is rebuilt incrementally (events in
    /// time order, log order among equal times), which equals a from-scratch rebuild because the
    /// state machine keeps counts, sets, minima, maxima and latest-by-time traits.</summary>
    public static UserAtCutoff?[] StatesAt(UserHistory user, IReadOnlyList<long> cutoffsMs, TenantRules rules)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(cutoffsMs);
        var ordered = InTimeOrder(user.Events);
        var activity = new UserActivity();
        var scratch = new List<CounterDelta>();
        var result = new UserAtCutoff?[cutoffsMs.Count];
        IReadOnlyDictionary<string, TraitValue>? traits = null;
        var next = 0;
        for (var c = 0; c < cutoffsMs.Count; c++)
        {
            var cutoff = cutoffsMs[c];
            while (next < ordered.Length && ordered[next].TimestampMs < cutoff)
            {
                traits = ordered[next].IsIdentify ? null : traits; // traits changed: copy them again
                scratch.Clear();
                activity.Apply(ordered[next++], rules, scratch);
            }

            if (activity.FirstSeenMs is not null)
            {
                traits ??= new Dictionary<string, TraitValue>(activity.Traits, StringComparer.Ordinal);
                result[c] = new UserAtCutoff(ChurnFeatures.Compute(activity, cutoff), traits, activity.CancelledAtMs);
            }
        }

        return result;
    }

    /// <summary>Adds the user's examples at each cutoff to <paramref name="examples"/>.</summary>
    public static void AddExamples(UserHistory user, IReadOnlyList<long> cutoffs, TenantRules rules, ICollection<ChurnExample> examples)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(examples);
        var horizonMs = rules.ChurnHorizonDays * TimeBuckets.MsPerDay;
        var usage = new List<long>();
        var churnEvents = new List<long>();
        foreach (var e in user.Events)
        {
            if (e.IsIdentify)
            {
                continue;
            }

            (rules.IsChurnEvent(e.Name) ? churnEvents : usage).Add(e.TimestampMs);
        }

        usage.Sort();
        churnEvents.Sort();
        var states = StatesAt(user, cutoffs, rules);
        for (var c = 0; c < cutoffs.Count; c++)
        {
            var cutoff = cutoffs[c];
            if (states[c] is not { CancelledAtMs: null } state)
            {
                continue; // not a user yet, or cancelled and not back: serving scores neither
            }

            var end = cutoff + horizonMs;
            var churned = AnyIn(churnEvents, cutoff, end) || !AnyIn(usage, cutoff, end);
            examples.Add(new ChurnExample(user.UserId, cutoff, state.Features, churned, state.Traits));
        }
    }

    /// <summary>True when a sorted list holds a value in [low, high).</summary>
    private static bool AnyIn(List<long> sorted, long low, long high)
    {
        var index = sorted.BinarySearch(low);
        index = index >= 0 ? index : ~index;
        // BinarySearch may land on any of equal values; step back to the first one >= low.
        while (index > 0 && sorted[index - 1] >= low)
        {
            index--;
        }

        return index < sorted.Count && sorted[index] < high;
    }

    private static TrackedEvent[] InTimeOrder(IReadOnlyList<TrackedEvent> events)
    {
        var ordered = new TrackedEvent[events.Count];
        var keys = new (long, int)[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            ordered[i] = events[i];
            keys[i] = (events[i].TimestampMs, i);
        }

        Array.Sort(keys, ordered);
        return ordered;
    }
}

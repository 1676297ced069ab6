namespace ProductOps.Domain;

/// <summary>
/// Recomputes from scratch, from one tenant's whole event log, every figure the live aggregates
/// keep incrementally. Each figure is computed straight from its definition (group, distinct,
/// count) and shares no code with <see cref="UserActivity"/>, so agreement between the two is
/// evidence, not an echo.
/// </summary>
public static class ReplayOracle
{
    private const int Window7 = 7;
    private const int Window30 = 30;

    /// <summary>Keeps the first occurrence of each (Tenant, UserId, EventId), in input order.</summary>
    public static IReadOnlyList<TrackedEvent> Deduplicate(IEnumerable<TrackedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return [.. events.DistinctBy(e => (e.Tenant, e.UserId, e.EventId))];
    }

    /// <summary>Replays one tenant's deduplicated events, given in log order.</summary>
    public static OracleResult Replay(IReadOnlyList<TrackedEvent> events, TenantRules rules)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(rules);
        if (events.Select(e => e.Tenant).Distinct(StringComparer.Ordinal).Skip(1).Any())
        {
            throw new ArgumentException("The events must all belong to one tenant.", nameof(events));
        }

        var usage = events.Where(e => !e.IsIdentify).ToList();
        var features = usage
            .Where(e => e.HasFeature)
            .GroupBy(e => e.Feature, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => FeatureCounters([.. g]), StringComparer.Ordinal);
        var users = events
            .GroupBy(e => e.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<TrackedEvent>)[.. g], StringComparer.Ordinal);

        return new OracleResult(TenantCounters(usage), features, users, rules);
    }

    /// <summary>One user's snapshot at <paramref name="asOfMs"/>, from that user's events in log order.</summary>
    public static UserSnapshot UserAt(string userId, IReadOnlyList<TrackedEvent> userEvents, TenantRules rules, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(userEvents);
        ArgumentNullException.ThrowIfNull(rules);
        var usage = userEvents.Where(e => !e.IsIdentify).ToList();
        var any = usage.Count > 0;

        var features = usage
            .Where(e => e.HasFeature)
            .GroupBy(e => e.Feature, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new FeatureUsageView(g.Key, g.Count(), g.Min(e => e.TimestampMs), g.Max(e => e.TimestampMs)))
            .ToList();

        return new UserSnapshot(
            userId,
            any ? usage.Min(e => e.TimestampMs) : null,
            any ? usage.Max(e => e.TimestampMs) : null,
            usage.Count,
            usage.Select(e => TimeBuckets.DayOf(e.TimestampMs)).Distinct().Count(),
            usage.Where(e => e.SessionId.Length > 0).Select(e => e.SessionId).Distinct(StringComparer.Ordinal).Count(),
            usage.Sum(e => e.Value),
            features,
            Traits(userEvents),
            LifecycleAt(usage, rules, asOfMs),
            asOfMs,
            HasEvents: userEvents.Count > 0);
    }

    private static CounterSet TenantCounters(List<TrackedEvent> usage)
    {
        var counters = new CounterSet();
        foreach (var day in usage.GroupBy(e => TimeBuckets.DayOf(e.TimestampMs)))
        {
            counters.Add(Metric.TenantDayEvents, day.Key, day.Count());
        }

        counters.Add(Metric.TenantTotalEvents, 0, usage.Count);

        var usersByDay = UsersByDay(usage);
        foreach (var (day, users) in usersByDay)
        {
            counters.Add(Metric.TenantDayUsers, day, users.Count);
        }

        AddWindows(counters, Metric.TenantDayUsers7, Window7, usersByDay);
        AddWindows(counters, Metric.TenantDayUsers30, Window30, usersByDay);

        var firstSeen = usage
            .GroupBy(e => e.UserId, StringComparer.Ordinal)
            .Select(g => g.Min(e => e.TimestampMs))
            .ToList();
        foreach (var day in firstSeen.GroupBy(TimeBuckets.DayOf))
        {
            counters.Add(Metric.TenantDayNewUsers, day.Key, day.Count());
        }

        counters.Add(Metric.TenantTotalUsers, 0, firstSeen.Count);
        return counters;
    }

    private static CounterSet FeatureCounters(List<TrackedEvent> usage)
    {
        var counters = new CounterSet();
        foreach (var hour in usage.GroupBy(e => TimeBuckets.HourOf(e.TimestampMs)))
        {
            counters.Add(Metric.FeatureHourEvents, hour.Key, hour.Count());
            counters.Add(Metric.FeatureHourValueSum, hour.Key, hour.Sum(e => e.Value));
            counters.Add(Metric.FeatureHourUsers, hour.Key, hour.Select(e => e.UserId).Distinct(StringComparer.Ordinal).Count());
        }

        var adoptedAt = usage
            .GroupBy(e => e.UserId, StringComparer.Ordinal)
            .Select(g => g.Min(e => e.TimestampMs))
            .ToList();
        foreach (var hour in adoptedAt.GroupBy(TimeBuckets.HourOf))
        {
            counters.Add(Metric.FeatureHourNewAdopters, hour.Key, hour.Count());
        }

        counters.Add(Metric.FeatureTotalAdopters, 0, adoptedAt.Count);
        counters.Add(Metric.FeatureTotalEvents, 0, usage.Count);

        var usersByDay = UsersByDay(usage);
        foreach (var (day, users) in usersByDay)
        {
            counters.Add(Metric.FeatureDayUsers, day, users.Count);
        }

        AddWindows(counters, Metric.FeatureDayUsers7, Window7, usersByDay);
        AddWindows(counters, Metric.FeatureDayUsers30, Window30, usersByDay);

        var feedback = usage.Where(e => e.Name == EventNames.Feedback).ToList();
        foreach (var hour in feedback.GroupBy(e => TimeBuckets.HourOf(e.TimestampMs)))
        {
            counters.Add(Metric.FeatureHourFeedbackCount, hour.Key, hour.Count());
            counters.Add(Metric.FeatureHourFeedbackSum, hour.Key, hour.Sum(e => e.Value));
        }

        foreach (var day in feedback.GroupBy(e => TimeBuckets.DayOf(e.TimestampMs)))
        {
            counters.Add(Metric.FeatureDayFeedbackCount, day.Key, day.Count());
            counters.Add(Metric.FeatureDayFeedbackSum, day.Key, day.Sum(e => e.Value));
        }

        counters.Add(Metric.FeatureTotalFeedbackCount, 0, feedback.Count);
        counters.Add(Metric.FeatureTotalFeedbackSum, 0, feedback.Sum(e => e.Value));
        return counters;
    }

    private static Dictionary<int, HashSet<string>> UsersByDay(List<TrackedEvent> usage) => usage
        .GroupBy(e => TimeBuckets.DayOf(e.TimestampMs))
        .ToDictionary(g => g.Key, g => g.Select(e => e.UserId).ToHashSet(StringComparer.Ordinal));

    /// <summary>Distinct users over [end - window + 1, end], for every end a window over an active
    /// day can reach, including days after the last event.</summary>
    private static void AddWindows(CounterSet counters, Metric metric, int window, Dictionary<int, HashSet<string>> usersByDay)
    {
        var ends = usersByDay.Keys.SelectMany(day => Enumerable.Range(day, window)).Distinct();
        foreach (var end in ends)
        {
            var distinct = Enumerable.Range(end - window + 1, window)
                .Where(usersByDay.ContainsKey)
                .SelectMany(day => usersByDay[day])
                .Distinct(StringComparer.Ordinal)
                .Count();
            counters.Add(metric, end, distinct);
        }
    }

    /// <summary>Per key, the value with the greatest event time; ties go to the later event in log
    /// order. An empty winning value is a deletion.</summary>
    private static Dictionary<string, string> Traits(IReadOnlyList<TrackedEvent> userEvents) => userEvents
        .Select((e, index) => (Event: e, Index: index))
        .Where(x => x.Event.IsIdentify && x.Event.Properties is not null)
        .SelectMany(x => x.Event.Properties!.Select(p => (p.Key, p.Value, x.Event.TimestampMs, x.Index)))
        .GroupBy(t => t.Key, StringComparer.Ordinal)
        .Select(g => g.OrderBy(t => t.TimestampMs).ThenBy(t => t.Index).Last())
        .Where(t => t.Value.Length > 0)
        .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

    private static Lifecycle LifecycleAt(List<TrackedEvent> usage, TenantRules rules, long asOfMs)
    {
        if (usage.Count == 0)
        {
            return Lifecycle.Unknown;
        }

        var churnTimes = usage.Where(e => rules.IsChurnEvent(e.Name)).Select(e => e.TimestampMs).ToList();
        var engagedTimes = usage.Where(e => !rules.IsChurnEvent(e.Name)).Select(e => e.TimestampMs).ToList();
        if (churnTimes.Count > 0 && (engagedTimes.Count == 0 || churnTimes.Max() >= engagedTimes.Max()))
        {
            return Lifecycle.Churned;
        }

        var today = TimeBuckets.DayOf(asOfMs);
        var activeDays = usage.Select(e => TimeBuckets.DayOf(e.TimestampMs)).Distinct().Order().ToList();
        var idle = today - activeDays[^1];
        if (idle > rules.ChurnHorizonDays)
        {
            return Lifecycle.Churned;
        }

        // Dormant: idle for seven days or more, so no activity in the last seven days (today and
        // the six before it: the day's WAU window).
        if (idle >= Window7)
        {
            return Lifecycle.Dormant;
        }

        var windowStart = today - (Window7 - 1);
        if (activeDays[0] >= windowStart)
        {
            return Lifecycle.New;
        }

        // Returning: dormant (by the rule above) on the day before the first active day of the last seven.
        var recent = activeDays.Where(d => d >= windowStart && d <= today).Order().ToList();
        if (recent.Count > 0)
        {
            var earliest = recent[0];
            var previous = activeDays.Where(d => d < earliest).ToList();
            if (previous.Count > 0 && (earliest - 1) - previous.Max() >= Window7)
            {
                return Lifecycle.Returning;
            }
        }

        return Lifecycle.Active;
    }
}

using System.Collections.ObjectModel;

namespace ProductOps.Domain;

/// <summary>
/// The live state of one user, a deterministic state machine over the user's events in log order.
/// <see cref="Apply"/> also returns the counter deltas the event causes in its feature's and its
/// tenant's aggregates through the user's history: the derived facts (new user, new active day,
/// first use of a feature, retractions when an older event moves a "first" earlier). Raw counts
/// are the event's own (<see cref="EventCounters"/>). Distinct-user counts stay exact without any
/// per-feature user sets.
/// </summary>
[GenerateSerializer, Alias("productops.user-activity")]
public sealed class UserActivity
{
    private const int Window7 = 7;
    private const int Window30 = 30;

    // Sets held as a sorted array and a count, with no collection object per set: a node holds
    // a hundred thousand users, and most have a handful of features and sessions.
    [NonSerialized] private UserFeatures _features;
    [NonSerialized] private long[] _sessionHashes = [];
    [NonSerialized] private int _sessionCount;
    [NonSerialized] private SortedInts _activeDays = SortedInts.Of([]);

    // Times as plain longs, NoTime for none: a nullable long takes 16 bytes and a user holds four.
    // Callers and the stored form see them as nullable.
    private const long NoTime = long.MinValue;
    [NonSerialized] private long _firstSeenMs = NoTime;
    [NonSerialized] private long _lastSeenMs = NoTime;
    [NonSerialized] private long _lastEngagedMs = NoTime;
    [NonSerialized] private long _lastChurnEventMs = NoTime;

    /// <summary>Null until the user's first trait: most users never get one.</summary>
    [Id(7)] private Dictionary<string, TraitValue>? _traits;

    public long? FirstSeenMs => TimeOf(_firstSeenMs);

    /// <summary>Whether any event of the user was applied: a usage event, or an Identify (which
    /// leaves its traits, deletions included, behind).</summary>
    public bool HasEvents => _firstSeenMs != NoTime || _traits is not null;

    public long? LastSeenMs => TimeOf(_lastSeenMs);

    [Id(2)] public long EventCount { get; private set; }

    [Id(3)] public double ValueSum { get; private set; }

    // The stored forms of the times, as snapshots have always held them.
    [Id(0)] internal long? StoredFirstSeenMs { get => FirstSeenMs; set => _firstSeenMs = value ?? NoTime; }

    [Id(1)] internal long? StoredLastSeenMs { get => LastSeenMs; set => _lastSeenMs = value ?? NoTime; }

    [Id(8)] internal long? StoredLastEngagedMs { get => LastEngagedMs; set => _lastEngagedMs = value ?? NoTime; }

    [Id(9)] internal long? StoredLastChurnEventMs { get => LastChurnEventMs; set => _lastChurnEventMs = value ?? NoTime; }

    /// <summary>The stored form of <see cref="ActiveDays"/>, as snapshots have always held it.</summary>
    [Id(4)]
    internal SortedIntSet StoredActiveDays
    {
        get => new() { Stored = _activeDays.Trimmed() };
        set => _activeDays = SortedInts.Of(value.Stored);
    }

    /// <summary>The UTC days with at least one of the user's events.</summary>
    public ref readonly SortedInts ActiveDays => ref _activeDays;

    /// <summary>Latest event time of a usage event that is not a churn event.</summary>
    public long? LastEngagedMs => TimeOf(_lastEngagedMs);

    /// <summary>Latest event time of one of the tenant's churn events.</summary>
    public long? LastChurnEventMs => TimeOf(_lastChurnEventMs);

    /// <summary>When the user cancelled: their latest churn event, if no usage is later; null for
    /// everyone else. Such a user is churned whatever the time (<see cref="LifecycleAt"/>).</summary>
    public long? CancelledAtMs =>
        LastChurnEventMs is { } churnedAt && churnedAt >= (LastEngagedMs ?? long.MinValue) ? churnedAt : null;

    [NonSerialized] private RecentActivity _recent = new();

    /// <summary>Per-day counts of the last 90 days before the latest event, for the churn features.</summary>
    public ref readonly RecentActivity Recent => ref _recent;

    /// <summary>The stored form of <see cref="Recent"/>, as snapshots have always held it.</summary>
    [Id(10)]
    internal StoredRecentActivity StoredRecent
    {
        get => StoredRecentActivity.Of(_recent);
        set => _recent = RecentActivity.Of(value.Days);
    }

    /// <summary>The features the user used, in ordinal order of their names.</summary>
    public ref readonly UserFeatures Features => ref _features;

    /// <summary>How many distinct sessions the user had.</summary>
    public int SessionCount => _sessionCount;

    public IReadOnlyDictionary<string, TraitValue> Traits =>
        (IReadOnlyDictionary<string, TraitValue>?)_traits ?? ReadOnlyDictionary<string, TraitValue>.Empty;

    /// <summary>The stored form of the features: a record each, in order.</summary>
    [Id(12)]
    internal FeatureUsage[] StoredFeatures
    {
        get => _features.ToRecords();
        set => _features = UserFeatures.Of(value);
    }

    /// <summary>The stored form of the sessions: their hashes in order, without spare capacity.</summary>
    [Id(11)]
    internal long[] StoredSessionHashes
    {
        get => SortedArray.Trimmed(_sessionHashes, _sessionCount);
        set => (_sessionHashes, _sessionCount) = (value, value.Length);
    }

    /// <summary>Snapshots written before <see cref="StoredFeatures"/> hold the features by name.</summary>
    [Id(6)]
    internal Dictionary<string, FeatureUsage>? LegacyFeatures
    {
        get => null;
        set
        {
            if (value is not null)
            {
                StoredFeatures = [.. value.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => Named(f.Value, f.Key))];
            }
        }
    }

    /// <summary>Snapshots written before <see cref="StoredSessionHashes"/> hold the hashes in a hash set.</summary>
    [Id(5)]
    internal HashSet<long>? LegacySessionHashes
    {
        get => null;
        set
        {
            if (value is not null)
            {
                StoredSessionHashes = [.. value.Order()];
            }
        }
    }

    /// <summary>Applies one event and appends the counter deltas it causes through the user's history
    /// to <paramref name="deltas"/> (the event's own are <see cref="EventCounters.AddTo"/>'s).</summary>
    public void Apply(TrackedEvent e, TenantRules rules, List<CounterDelta> deltas)
    {
        if (e.IsIdentify)
        {
            ApplyTraits(e);
            return;
        }

        var ts = e.TimestampMs;
        var day = TimeBuckets.DayOf(ts);
        ApplyToUser(e, rules, day, deltas);
        if (e.HasFeature)
        {
            ApplyToFeature(e, day, deltas);
        }
    }

    /// <summary>The user's lifecycle stage at <paramref name="asOfMs"/>.</summary>
    public Lifecycle LifecycleAt(long asOfMs, TenantRules rules)
    {
        if (LastSeenMs is null || ActiveDays.Count == 0)
        {
            return Lifecycle.Unknown;
        }

        if (CancelledAtMs is not null)
        {
            return Lifecycle.Churned;
        }

        var today = TimeBuckets.DayOf(asOfMs);
        var lastActiveDay = ActiveDays.Items[^1];
        var idleDays = today - lastActiveDay;
        if (idleDays > rules.ChurnHorizonDays)
        {
            return Lifecycle.Churned;
        }

        // Not active in the last 7 days (the window of the day's WAU): idle for 7 days or more.
        if (idleDays >= TenantRules.DormantAfterDays)
        {
            return Lifecycle.Dormant;
        }

        var windowStart = today - (TenantRules.DormantAfterDays - 1);
        if (TimeBuckets.DayOf(FirstSeenMs!.Value) >= windowStart)
        {
            return Lifecycle.New;
        }

        // Returning: dormant the day before the first active day of the last 7, i.e. that day
        // follows the previous active day by more than 7 days.
        var firstRecent = FirstActiveDayIn(windowStart, today);
        var before = firstRecent is { } recent ? ActiveDays.Predecessor(recent) : null;
        return before is { } previous && firstRecent!.Value - previous > TenantRules.DormantAfterDays
            ? Lifecycle.Returning
            : Lifecycle.Active;
    }

    /// <summary>A read-only view of the user at <paramref name="asOfMs"/>.</summary>
    public UserSnapshot Snapshot(string userId, long asOfMs, TenantRules rules) => new(
        userId,
        FirstSeenMs,
        LastSeenMs,
        EventCount,
        ActiveDays.Count,
        _sessionCount,
        ValueSum,
        FeatureViews(),
        Traits.Where(t => t.Value.Value.Length > 0)
            .ToDictionary(t => t.Key, t => t.Value.Value, StringComparer.Ordinal),
        LifecycleAt(asOfMs, rules),
        asOfMs,
        HasEvents);

    /// <summary>The names of the features the user used, in ordinal order.</summary>
    public string[] FeatureNames() => _features.Names.ToArray();

    /// <summary>The earliest active day in [low, high]; days after asOf's day are not "recent".</summary>
    private int? FirstActiveDayIn(int low, int high)
    {
        foreach (var active in ActiveDays.Items)
        {
            if (active >= low)
            {
                return active <= high ? active : null;
            }
        }

        return null;
    }

    private void ApplyTraits(TrackedEvent e)
    {
        _traits ??= new(StringComparer.Ordinal); // the user is known from now on (HasEvents)
        if (e.Properties is null)
        {
            return;
        }

        foreach (var (key, value) in e.Properties)
        {
            // Ties go to the later event in log order, which is this one.
            if (!_traits.TryGetValue(key, out var current) || e.TimestampMs >= current.TimestampMs)
            {
                _traits[key] = new TraitValue(value, e.TimestampMs);
            }
        }
    }

    private void ApplyToUser(TrackedEvent e, TenantRules rules, int day, List<CounterDelta> deltas)
    {
        var ts = e.TimestampMs;
        if (FirstSeenMs is not { } firstSeen)
        {
            deltas.Add(new(string.Empty, Metric.TenantTotalUsers, 0, 1));
            deltas.Add(new(string.Empty, Metric.TenantDayNewUsers, day, 1));
            _firstSeenMs = ts;
        }
        else if (ts < firstSeen)
        {
            MoveBucket(deltas, string.Empty, Metric.TenantDayNewUsers, TimeBuckets.DayOf(firstSeen), day);
            _firstSeenMs = ts;
        }

        _lastSeenMs = Math.Max(LastSeenMs ?? ts, ts);
        EventCount++;
        ValueSum += e.Value;

        if (!ActiveDays.Contains(day))
        {
            deltas.Add(new(string.Empty, Metric.TenantDayUsers, day, 1));
            var previous = ActiveDays.Predecessor(day);
            var next = ActiveDays.Successor(day);
            AddWindowDeltas(deltas, string.Empty, Metric.TenantDayUsers7, Window7, day, previous, next);
            AddWindowDeltas(deltas, string.Empty, Metric.TenantDayUsers30, Window30, day, previous, next);
            _activeDays.Add(day);
        }

        if (e.SessionId.Length > 0)
        {
            SortedArray.Add(ref _sessionHashes, ref _sessionCount, StableHash.Of(e.SessionId));
        }

        _recent.Add(
            day,
            isSessionStart: e.Name == EventNames.SessionStart,
            isError: e.Name == EventNames.Error,
            isFeedback: e.Name == EventNames.Feedback,
            e.Value);

        if (rules.IsChurnEvent(e.Name))
        {
            _lastChurnEventMs = Math.Max(LastChurnEventMs ?? ts, ts);
        }
        else
        {
            _lastEngagedMs = Math.Max(LastEngagedMs ?? ts, ts);
        }
    }

    private void ApplyToFeature(TrackedEvent e, int day, List<CounterDelta> deltas)
    {
        var feature = e.Feature;
        var ts = e.TimestampMs;
        var hour = TimeBuckets.HourOf(ts);
        var index = _features.IndexOf(feature);
        if (index < 0)
        {
            index = ~index;
            _features.Insert(index, feature, new FeatureUse { FirstUseMs = ts, LastUseMs = ts });
            deltas.Add(new(feature, Metric.FeatureTotalAdopters, 0, 1));
            deltas.Add(new(feature, Metric.FeatureHourNewAdopters, hour, 1));
        }
        else
        {
            feature = _features.Names[index]; // the deltas, which the user's grain keeps, name it by the string it already holds
        }

        ref var use = ref _features.UseAt(index);
        if (ts < use.FirstUseMs)
        {
            MoveBucket(deltas, feature, Metric.FeatureHourNewAdopters, TimeBuckets.HourOf(use.FirstUseMs), hour);
            use.FirstUseMs = ts;
        }

        use.Count++;
        use.LastUseMs = Math.Max(use.LastUseMs, ts);

        if (!_features.HasHour(index, hour))
        {
            deltas.Add(new(feature, Metric.FeatureHourUsers, hour, 1));
            // A day is active for the feature when any of its hours is; windows likewise.
            var firstHour = day * 24;
            var lastHour = firstHour + 23;
            if (!_features.AnyHourIn(index, firstHour, lastHour))
            {
                deltas.Add(new(feature, Metric.FeatureDayUsers, day, 1));
                int? previous = _features.HourBefore(index, firstHour) is { } before ? TimeBuckets.DayOfHour(before) : null;
                int? next = _features.HourAfter(index, lastHour) is { } after ? TimeBuckets.DayOfHour(after) : null;
                AddWindowDeltas(deltas, feature, Metric.FeatureDayUsers7, Window7, day, previous, next);
                AddWindowDeltas(deltas, feature, Metric.FeatureDayUsers30, Window30, day, previous, next);
            }

            _features.AddHour(index, hour);
        }
    }

    /// <summary>
    /// A new active day d makes the user count in the window ending at each day w in
    /// [d, d + window - 1] that held no active day of theirs yet. Only the nearest active days
    /// around d matter: windows up to (previous + window - 1) already hold the previous one, and
    /// windows from the next one on hold it; so no per-window search.
    /// </summary>
    private static void AddWindowDeltas(
        List<CounterDelta> deltas, string feature, Metric metric, int window, int day, int? previous, int? next)
    {
        var first = previous is { } before ? Math.Max(day, before + window) : day;
        var last = next is { } after ? Math.Min(day + window - 1, after - 1) : day + window - 1;
        if (first <= last)
        {
            deltas.Add(new(feature, metric, first, 1, (ushort)(last - first)));
        }
    }

    private static FeatureUsage Named(FeatureUsage usage, string name)
    {
        usage.Name = name;
        return usage;
    }

    private FeatureUsageView[] FeatureViews()
    {
        var views = new FeatureUsageView[_features.Count];
        for (var i = 0; i < views.Length; i++)
        {
            var use = _features.Uses[i];
            views[i] = new FeatureUsageView(_features.Names[i], use.Count, use.FirstUseMs, use.LastUseMs);
        }

        return views;
    }

    private static long? TimeOf(long ms) => ms == NoTime ? null : ms;

    private static void MoveBucket(List<CounterDelta> deltas, string feature, Metric metric, int from, int to)
    {
        if (from == to)
        {
            return;
        }

        deltas.Add(new(feature, metric, from, -1));
        deltas.Add(new(feature, metric, to, 1));
    }
}

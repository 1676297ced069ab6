namespace ProductOps.Domain;

/// <summary>
/// Per-day activity of one user over the last <see cref="RetainedDays"/> days before their latest
/// event: what the churn features' recent windows (7/14/28/90 days, trends) need and no more.
/// Days are kept sorted in one array of <see cref="RecentDay"/> (40 bytes a day, at most 90 days).
/// </summary>
/// <remarks>The retained days are those at or after (latest day - 89) whatever the arrival order, so
/// the state is a deterministic function of the user's events; windows that end at or after the
/// latest day (every as-of time the features are computed for) never need an older day.</remarks>
[GenerateSerializer, Alias("productops.recent-activity")]
public sealed class RecentActivity
{
    /// <summary>How many days before and including the latest active day are kept.</summary>
    public const int RetainedDays = 90;

    [NonSerialized] private RecentDay[] _days = [];
    [NonSerialized] private int _count;

    /// <summary>The columns of a snapshot written before <see cref="Stored"/>, while it is read.</summary>
    [NonSerialized] private LegacyColumns? _legacy;

    /// <summary>Number of retained days.</summary>
    public int Count => _count;

    /// <summary>The stored form: the retained days in order, without spare capacity.</summary>
    [Id(7)]
    internal RecentDay[] Stored
    {
        get => SortedArray.Trimmed(_days, _count);
        set => (_days, _count) = (value, value.Length);
    }

    // Snapshots written before Stored kept each count in a list of its own, in day order. Each is
    // read into the columns, and the days are built the moment the last one arrives: on the
    // serializer's turn, never on a read. Written as null.
    [Id(0)] internal List<int>? LegacyDays { get => null; set => Legacy(value, (c, v) => c.Days = v); }

    [Id(1)] internal List<int>? LegacyEvents { get => null; set => Legacy(value, (c, v) => c.Events = v); }

    [Id(2)] internal List<int>? LegacySessions { get => null; set => Legacy(value, (c, v) => c.Sessions = v); }

    [Id(3)] internal List<int>? LegacyErrors { get => null; set => Legacy(value, (c, v) => c.Errors = v); }

    [Id(4)] internal List<int>? LegacyFeedbackCounts { get => null; set => Legacy(value, (c, v) => c.FeedbackCounts = v); }

    [Id(5)] internal List<double>? LegacyFeedbackSums { get => null; set => Legacy(value, (c, v) => c.FeedbackSums = v); }

    [Id(6)] internal List<double>? LegacyValues { get => null; set => Legacy(value, (c, v) => c.Values = v); }

    /// <summary>Counts one usage event of <paramref name="day"/>.</summary>
    public void Add(int day, bool isSessionStart, bool isError, bool isFeedback, double value)
    {
        if (_count > 0 && day < _days[_count - 1].Day - (RetainedDays - 1))
        {
            return; // older than every window the features can ask for
        }

        var index = IndexOf(day);
        if (index < 0)
        {
            index = ~index;
            SortedArray.InsertAt(ref _days, ref _count, index, new RecentDay { Day = day });
            if (index == _count - 1)
            {
                index -= Trim(day - (RetainedDays - 1));
            }
        }

        ref var counts = ref _days[index];
        counts.Events++;
        counts.Value += value;
        if (isSessionStart)
        {
            counts.Sessions++;
        }

        if (isError)
        {
            counts.Errors++;
        }

        if (isFeedback)
        {
            counts.FeedbackCount++;
            counts.FeedbackSum += value;
        }
    }

    /// <summary>Sums of the retained days in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public RecentTotals Sum(int low, int high)
    {
        var totals = default(RecentTotals);
        foreach (ref readonly var counts in _days.AsSpan(0, _count))
        {
            if (counts.Day < low)
            {
                continue;
            }

            if (counts.Day > high)
            {
                break;
            }

            totals = new RecentTotals(
                totals.Events + counts.Events,
                totals.Sessions + counts.Sessions,
                totals.Errors + counts.Errors,
                totals.FeedbackCount + counts.FeedbackCount,
                totals.FeedbackSum + counts.FeedbackSum,
                totals.Value + counts.Value);
        }

        return totals;
    }

    private int IndexOf(int day) => _days.AsSpan(0, _count).BinarySearch(new DayKey(day));

    /// <summary>Drops the days before <paramref name="firstKept"/>; returns how many.</summary>
    private int Trim(int firstKept)
    {
        var drop = 0;
        while (drop < _count && _days[drop].Day < firstKept)
        {
            drop++;
        }

        if (drop > 0)
        {
            _days.AsSpan(drop, _count - drop).CopyTo(_days);
            _count -= drop;
            _days.AsSpan(_count, drop).Clear();
        }

        return drop;
    }

    /// <summary>Finds a day in the sorted array by its number alone.</summary>
    private readonly struct DayKey(int day) : IComparable<RecentDay>
    {
        public int CompareTo(RecentDay other) => day.CompareTo(other.Day);
    }

    private void Legacy<T>(T? column, Action<LegacyColumns, T> keep)
        where T : class
    {
        if (column is null)
        {
            return;
        }

        _legacy ??= new LegacyColumns();
        keep(_legacy, column);
        if (_legacy.ToDays() is { } days)
        {
            Stored = days;
            _legacy = null;
        }
    }

    /// <summary>The seven lists of the older form, until all have been read.</summary>
    private sealed class LegacyColumns
    {
        public List<int>? Days { get; set; }

        public List<int>? Events { get; set; }

        public List<int>? Sessions { get; set; }

        public List<int>? Errors { get; set; }

        public List<int>? FeedbackCounts { get; set; }

        public List<double>? FeedbackSums { get; set; }

        public List<double>? Values { get; set; }

        /// <summary>The days, once every column is in; null before.</summary>
        public RecentDay[]? ToDays()
        {
            if (Days is null || Events is null || Sessions is null || Errors is null || FeedbackCounts is null
                || FeedbackSums is null || Values is null)
            {
                return null;
            }

            var days = new RecentDay[Days.Count];
            for (var i = 0; i < days.Length; i++)
            {
                days[i] = new RecentDay
                {
                    Day = Days[i],
                    Events = Events[i],
                    Sessions = Sessions[i],
                    Errors = Errors[i],
                    FeedbackCount = FeedbackCounts[i],
                    FeedbackSum = FeedbackSums[i],
                    Value = Values[i],
                };
            }

            return days;
        }
    }
}

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

    // Snapshots written before Stored kept each count in its own list, in day order. Any change
    // upgrades first, so while these are set they hold the same days as Stored.
    [Id(0)] private List<int>? _legacyDays;
    [Id(1)] private List<int>? _legacyEvents;
    [Id(2)] private List<int>? _legacySessions;
    [Id(3)] private List<int>? _legacyErrors;
    [Id(4)] private List<int>? _legacyFeedbackCounts;
    [Id(5)] private List<double>? _legacyFeedbackSums;
    [Id(6)] private List<double>? _legacyValues;

    /// <summary>Number of retained days.</summary>
    public int Count
    {
        get
        {
            UpgradeLegacy();
            return _count;
        }
    }

    /// <summary>The stored form: the retained days in order, without spare capacity.</summary>
    [Id(7)]
    internal RecentDay[] Stored
    {
        get
        {
            UpgradeLegacy();
            return SortedArray.Trimmed(_days, _count);
        }

        set => (_days, _count) = (value, value.Length);
    }

    /// <summary>Counts one usage event of <paramref name="day"/>.</summary>
    public void Add(int day, bool isSessionStart, bool isError, bool isFeedback, double value)
    {
        UpgradeLegacy();
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
        UpgradeLegacy();
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

    /// <summary>Moves the columns of an older snapshot into the day array, once.</summary>
    private void UpgradeLegacy()
    {
        if (_legacyDays is not { } days)
        {
            return;
        }

        var upgraded = new RecentDay[days.Count];
        for (var i = 0; i < upgraded.Length; i++)
        {
            upgraded[i] = new RecentDay
            {
                Day = days[i],
                Events = _legacyEvents![i],
                Sessions = _legacySessions![i],
                Errors = _legacyErrors![i],
                FeedbackCount = _legacyFeedbackCounts![i],
                FeedbackSum = _legacyFeedbackSums![i],
                Value = _legacyValues![i],
            };
        }

        (_days, _count) = (upgraded, upgraded.Length);
        _legacyDays = _legacyEvents = _legacySessions = _legacyErrors = _legacyFeedbackCounts = null;
        _legacyFeedbackSums = _legacyValues = null;
    }
}

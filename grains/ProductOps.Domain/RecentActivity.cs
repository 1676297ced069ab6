namespace ProductOps.Domain;

/// <summary>
/// Per-day activity of one user over the last <see cref="RetainedDays"/> days before their latest
/// event: what the churn features' recent windows (7/14/28/90 days, trends) need and no more.
/// Days are kept sorted in one array of <see cref="RecentDay"/> (40 bytes a day, at most 90 days).
/// Held inline by the user (an object less for each of a node's users): copies share the array,
/// so the owner keeps it in a field, changes it only through it (this assembly's only), and hands
/// it out as a read-only reference. <see cref="StoredRecentActivity"/> is its stored form.
/// </summary>
/// <remarks>The retained days are those at or after (latest day - 89) whatever the arrival order, so
/// the state is a deterministic function of the user's events; windows that end at or after the
/// latest day (every as-of time the features are computed for) never need an older day.</remarks>
public struct RecentActivity
{
    /// <summary>How many days before and including the latest active day are kept.</summary>
    public const int RetainedDays = 90;

    private RecentDay[]? _days; // null in a default value, read as no days
    private int _count;

    /// <summary>Number of retained days.</summary>
    public readonly int Count => _count;

    /// <summary>Days in order, which it takes over.</summary>
    internal static RecentActivity Of(RecentDay[] days) => new() { _days = days, _count = days.Length };

    /// <summary>The retained days in order, without spare capacity.</summary>
    internal readonly RecentDay[] Trimmed() => SortedArray.Trimmed(_days ?? [], _count);

    /// <summary>Counts one usage event of <paramref name="day"/>.</summary>
    internal void Add(int day, bool isSessionStart, bool isError, bool isFeedback, double value)
    {
        _days ??= [];
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
    public readonly RecentTotals Sum(int low, int high)
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

    private readonly int IndexOf(int day) => _days.AsSpan(0, _count).BinarySearch(new DayKey(day));

    /// <summary>Drops the days before <paramref name="firstKept"/>; returns how many.</summary>
    private int Trim(int firstKept)
    {
        var days = _days!; // called by Add, which made it
        var drop = 0;
        while (drop < _count && days[drop].Day < firstKept)
        {
            drop++;
        }

        if (drop > 0)
        {
            days.AsSpan(drop, _count - drop).CopyTo(days);
            _count -= drop;
            days.AsSpan(_count, drop).Clear();
        }

        return drop;
    }

    /// <summary>Finds a day in the sorted array by its number alone.</summary>
    private readonly struct DayKey(int day) : IComparable<RecentDay>
    {
        public int CompareTo(RecentDay other) => day.CompareTo(other.Day);
    }
}

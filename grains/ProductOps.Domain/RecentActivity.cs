namespace ProductOps.Domain;

/// <summary>
/// Per-day activity of one user over the last <see cref="RetainedDays"/> days before their latest
/// event: what the churn features' recent windows (7/14/28/90 days, trends) need and no more.
/// Days are kept sorted in parallel lists (about 36 bytes a day, at most 90 days).
/// </summary>
/// <remarks>The retained days are those at or after (latest day - 89) whatever the arrival order, so
/// the state is a deterministic function of the user's events; windows that end at or after the
/// latest day (every as-of time the features are computed for) never need an older day.</remarks>
[GenerateSerializer, Alias("productops.recent-activity")]
public sealed class RecentActivity
{
    /// <summary>How many days before and including the latest active day are kept.</summary>
    public const int RetainedDays = 90;

    [Id(0)] private List<int> _days = [];
    [Id(1)] private List<int> _events = [];
    [Id(2)] private List<int> _sessions = [];
    [Id(3)] private List<int> _errors = [];
    [Id(4)] private List<int> _feedbackCounts = [];
    [Id(5)] private List<double> _feedbackSums = [];
    [Id(6)] private List<double> _values = [];

    /// <summary>Number of retained days.</summary>
    public int Count => _days.Count;

    /// <summary>Counts one usage event of <paramref name="day"/>.</summary>
    public void Add(int day, bool isSessionStart, bool isError, bool isFeedback, double value)
    {
        if (_days.Count > 0 && day < _days[^1] - (RetainedDays - 1))
        {
            return; // older than every window the features can ask for
        }

        var index = _days.BinarySearch(day);
        if (index < 0)
        {
            index = ~index;
            _days.Insert(index, day);
            _events.Insert(index, 0);
            _sessions.Insert(index, 0);
            _errors.Insert(index, 0);
            _feedbackCounts.Insert(index, 0);
            _feedbackSums.Insert(index, 0);
            _values.Insert(index, 0);
            if (index == _days.Count - 1)
            {
                Trim(day - (RetainedDays - 1));
                index = _days.Count - 1;
            }
        }

        _events[index]++;
        _values[index] += value;
        if (isSessionStart)
        {
            _sessions[index]++;
        }

        if (isError)
        {
            _errors[index]++;
        }

        if (isFeedback)
        {
            _feedbackCounts[index]++;
            _feedbackSums[index] += value;
        }
    }

    /// <summary>Sums of the retained days in [<paramref name="low"/>, <paramref name="high"/>].</summary>
    public RecentTotals Sum(int low, int high)
    {
        var totals = default(RecentTotals);
        for (var i = 0; i < _days.Count; i++)
        {
            var day = _days[i];
            if (day < low)
            {
                continue;
            }

            if (day > high)
            {
                break;
            }

            totals = new RecentTotals(
                totals.Events + _events[i],
                totals.Sessions + _sessions[i],
                totals.Errors + _errors[i],
                totals.FeedbackCount + _feedbackCounts[i],
                totals.FeedbackSum + _feedbackSums[i],
                totals.Value + _values[i]);
        }

        return totals;
    }

    private void Trim(int firstKept)
    {
        var drop = 0;
        while (drop < _days.Count && _days[drop] < firstKept)
        {
            drop++;
        }

        if (drop == 0)
        {
            return;
        }

        _days.RemoveRange(0, drop);
        _events.RemoveRange(0, drop);
        _sessions.RemoveRange(0, drop);
        _errors.RemoveRange(0, drop);
        _feedbackCounts.RemoveRange(0, drop);
        _feedbackSums.RemoveRange(0, drop);
        _values.RemoveRange(0, drop);
    }
}

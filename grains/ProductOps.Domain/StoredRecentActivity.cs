namespace ProductOps.Domain;

/// <summary>The stored form of a user's <see cref="RecentActivity"/>, as snapshots have always held
/// it (the same alias and fields): made only to write a snapshot or read one.</summary>
[GenerateSerializer, Alias("productops.recent-activity")]
public sealed class StoredRecentActivity
{
    /// <summary>The columns of a snapshot written before <see cref="Days"/>, while it is read.</summary>
    [NonSerialized] private LegacyColumns? _legacy;

    /// <summary>The retained days in order, without spare capacity.</summary>
    [Id(7)] internal RecentDay[] Days { get; set; } = [];

    // Snapshots written before Days kept each count in a list of its own, in day order. Each is
    // read into the columns, and the days are built the moment the last one arrives: on the
    // serializer's turn, never on a read. Written as null.
    [Id(0)] internal List<int>? LegacyDays { get => null; set => Legacy(value, (c, v) => c.Days = v); }

    [Id(1)] internal List<int>? LegacyEvents { get => null; set => Legacy(value, (c, v) => c.Events = v); }

    [Id(2)] internal List<int>? LegacySessions { get => null; set => Legacy(value, (c, v) => c.Sessions = v); }

    [Id(3)] internal List<int>? LegacyErrors { get => null; set => Legacy(value, (c, v) => c.Errors = v); }

    [Id(4)] internal List<int>? LegacyFeedbackCounts { get => null; set => Legacy(value, (c, v) => c.FeedbackCounts = v); }

    [Id(5)] internal List<double>? LegacyFeedbackSums { get => null; set => Legacy(value, (c, v) => c.FeedbackSums = v); }

    [Id(6)] internal List<double>? LegacyValues { get => null; set => Legacy(value, (c, v) => c.Values = v); }

    /// <summary>The stored form of <paramref name="recent"/>.</summary>
    public static StoredRecentActivity Of(in RecentActivity recent) => new() { Days = recent.Trimmed() };

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
            Days = days;
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

namespace ProductOps.Domain;

/// <summary>A range of event time [FromMs, ToMs).</summary>
[GenerateSerializer, Immutable, Alias("productops.time-range")]
public sealed record TimeRange([property: Id(0)] long FromMs, [property: Id(1)] long ToMs)
{
    public const int MaxDays = 366;
    public const int MaxHourlyDays = 31;

    public long LengthMs => ToMs - FromMs;

    /// <summary>The default range: the <paramref name="days"/> whole UTC days up to and including now's day.</summary>
    public static TimeRange DaysEndingAt(long nowMs, int days)
    {
        var end = TimeBuckets.DayStartMs(TimeBuckets.DayOf(nowMs) + 1);
        return new TimeRange(end - (days * TimeBuckets.MsPerDay), end);
    }
}

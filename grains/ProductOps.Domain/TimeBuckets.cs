namespace ProductOps.Domain;

/// <summary>UTC event-time buckets, numbered from the Unix epoch.</summary>
public static class TimeBuckets
{
    public const long MsPerHour = 3_600_000;
    public const long MsPerDay = 86_400_000;

    public static int HourOf(long timestampMs) => (int)Math.Floor(timestampMs / (double)MsPerHour);

    public static int DayOf(long timestampMs) => (int)Math.Floor(timestampMs / (double)MsPerDay);

    public static int DayOfHour(int hour) => (int)Math.Floor(hour / 24.0);

    public static long HourStartMs(int hour) => hour * MsPerHour;

    public static long DayStartMs(int day) => day * MsPerDay;
}

using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class TimeBucketsTests
{
    [Theory]
    [InlineData(0L, 0)]
    [InlineData(3_599_999L, 0)]
    [InlineData(3_600_000L, 1)]
    [InlineData(-1L, -1)]
    [InlineData(-3_600_000L, -1)]
    [InlineData(-3_600_001L, -2)]
    [InlineData(1_735_689_600_000L, 482_136)] // 2025-01-01T00:00Z
    [InlineData(1_735_689_599_999L, 482_135)]
    public void HourOf_Timestamp_FloorsToUtcHour(long timestampMs, int expected) =>
        Assert.Equal(expected, TimeBuckets.HourOf(timestampMs));

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(86_399_999L, 0)]
    [InlineData(86_400_000L, 1)]
    [InlineData(-1L, -1)]
    [InlineData(-86_400_000L, -1)]
    [InlineData(-86_400_001L, -2)]
    [InlineData(1_735_689_600_000L, 20_089)]
    [InlineData(1_735_689_599_999L, 20_088)]
    [InlineData(-2_208_988_800_000L, -25_567)] // 1900-01-01T00:00Z
    [InlineData(253_402_300_799_999L, 2_932_896)] // 9999-12-31T23:59:59.999Z
    public void DayOf_Timestamp_FloorsToUtcDay(long timestampMs, int expected) =>
        Assert.Equal(expected, TimeBuckets.DayOf(timestampMs));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(23, 0)]
    [InlineData(24, 1)]
    [InlineData(-1, -1)]
    [InlineData(-24, -1)]
    [InlineData(-25, -2)]
    public void DayOfHour_Hour_FloorsToDay(int hour, int expected) =>
        Assert.Equal(expected, TimeBuckets.DayOfHour(hour));

    [Theory]
    [InlineData(-86_400_001L)]
    [InlineData(-1L)]
    [InlineData(0L)]
    [InlineData(1_735_732_800_123L)]
    public void BucketStarts_AnyTimestamp_ContainTheTimestamp(long timestampMs)
    {
        var hour = TimeBuckets.HourOf(timestampMs);
        var day = TimeBuckets.DayOf(timestampMs);

        Assert.InRange(timestampMs - TimeBuckets.HourStartMs(hour), 0, TimeBuckets.MsPerHour - 1);
        Assert.InRange(timestampMs - TimeBuckets.DayStartMs(day), 0, TimeBuckets.MsPerDay - 1);
        Assert.Equal(day, TimeBuckets.DayOfHour(hour));
    }
}

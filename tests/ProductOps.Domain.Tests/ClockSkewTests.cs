using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class ClockSkewTests
{
    private const long ReceivedMs = 1_700_000_000_000; // 2023-11-14

    [Fact]
    public void Correct_NoSentAt_KeepsTheTimestamp()
    {
        Assert.Null(ClockSkew.Correct(123, null, ReceivedMs, out var corrected));
        Assert.Equal(123, corrected);
    }

    [Fact]
    public void Correct_SentAtGiven_MovesByReceivedMinusSentAt()
    {
        Assert.Null(ClockSkew.Correct(ReceivedMs + 5_000, ReceivedMs + 7_000, ReceivedMs, out var corrected));
        Assert.Equal(ReceivedMs - 2_000, corrected);
    }

    [Fact]
    public void Correct_SentAtAtTheEndOfYear9999_FailsOnTimestampNamingSentAtAndTheRange()
    {
        var failure = ClockSkew.Correct(ReceivedMs, ClockSkew.MaxMs, ReceivedMs, out _);

        Assert.Equal("timestamp", failure?.Field);
        Assert.Contains("sent_at", failure!.Reason, StringComparison.Ordinal);
        Assert.Contains("ahead of server time", failure.Reason, StringComparison.Ordinal);
        Assert.Contains("before 0001-01-01", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Correct_SentAtInYearOneAndAFarFutureTimestamp_FailsOnTimestampAfterYear9999()
    {
        var failure = ClockSkew.Correct(ClockSkew.MaxMs - 1000, ClockSkew.MinMs, ReceivedMs, out _);

        Assert.Equal("timestamp", failure?.Field);
        Assert.Contains("behind server time", failure!.Reason, StringComparison.Ordinal);
        Assert.Contains("after 9999-12-31", failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ClockSkew.MinMs)]
    [InlineData(ClockSkew.MaxMs)]
    public void Correct_LandingExactlyOnTheEdgeOfTheRange_Passes(long target)
    {
        // sent_at chosen so the correction lands on the edge.
        var sentAt = ReceivedMs - (target - ReceivedMs);
        Assert.Null(ClockSkew.Correct(ReceivedMs, sentAt, ReceivedMs, out var corrected));
        Assert.Equal(target, corrected);
    }
}

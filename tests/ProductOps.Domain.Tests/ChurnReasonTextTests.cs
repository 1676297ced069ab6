using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>The plain words a churn score's reasons are given in: they must say what the value
/// means, whichever way it points.</summary>
public sealed class ChurnReasonTextTests
{
    [Theory]
    [InlineData("feedback_mean_28", 0f, "no feedback (or only scores of 0) in the last 28 days")]
    [InlineData("feedback_mean_28", 3.5f, "average feedback score 3.5 (28 days)")]
    [InlineData("feedback_mean_90", 0f, "no feedback (or only scores of 0) in the last 90 days")]
    [InlineData("feedback_mean_90", 4f, "average feedback score 4 (90 days)")]
    public void Describe_FeedbackMean_ZeroSaysNoFeedbackRatherThanAScoreOfZero(string feature, float value, string expected)
    {
        Assert.Equal(expected, ChurnFeatures.Describe(Index(feature), value));
    }

    [Theory]
    [InlineData(0.5f, "events in the week before going quiet were 0.5x the week before")]
    [InlineData(1.9f, "events in the week before going quiet were 1.9x the week before")]
    public void Describe_EventsBeforeGoingQuiet_ReadsRightForARiseAsForAFall(float value, string expected)
    {
        Assert.Equal(expected, ChurnFeatures.Describe(Index("trend_events_before_silence"), value));
    }

    private static int Index(string feature)
    {
        var index = ChurnFeatures.Names.ToList().IndexOf(feature);
        Assert.True(index >= 0, $"no feature {feature}: {string.Join(", ", ChurnFeatures.Names)}");
        return index;
    }
}

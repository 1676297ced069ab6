using System.Globalization;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Query;
using DomainFeatureSummary = ProductOps.Domain.FeatureSummary;

namespace ProductOps.Gateway.Tests;

/// <summary>ListFeatures' order, without a node.</summary>
public sealed class FeatureRankingTests
{
    // Scores from -1 (thumbs down) to 1 (thumbs up): a mean of 0 is a real, middling score.
    private static readonly DomainFeatureSummary Loved = Summary("loved", feedbackCount: 4, feedbackSum: 3.2);
    private static readonly DomainFeatureSummary Split = Summary("split", feedbackCount: 2, feedbackSum: 0);
    private static readonly DomainFeatureSummary Hated = Summary("hated", feedbackCount: 5, feedbackSum: -4);
    private static readonly DomainFeatureSummary Unrated = Summary("unrated", feedbackCount: 0, feedbackSum: 0);
    private static readonly DomainFeatureSummary AlsoUnrated = Summary("also-unrated", feedbackCount: 0, feedbackSum: 0);

    [Theory]
    [InlineData(false, new[] { "loved", "split", "hated", "also-unrated", "unrated" })]
    [InlineData(true, new[] { "hated", "split", "loved", "also-unrated", "unrated" })]
    public void Sort_ByFeedbackMean_FeaturesWithoutFeedbackComeLastEitherWay(bool ascending, string[] expected)
    {
        var sorted = FeatureRanking.Sort([Unrated, Loved, AlsoUnrated, Hated, Split], FeatureSort.FeedbackMean, ascending);

        Assert.Equal(expected, sorted.Select(s => s.Feature));
    }

    [Fact]
    public void Sort_ByFeedbackMeanAscendingWithALimit_ListsTheWorstRated()
    {
        // Scores from 1 to 5 stars: "features --sort feedback --asc --limit 1" asks for the worst.
        var poor = Summary("poor", feedbackCount: 2, feedbackSum: 3); // 1.5 stars
        var good = Summary("good", feedbackCount: 2, feedbackSum: 9);

        var worst = FeatureRanking.Sort([Unrated, good, poor], FeatureSort.FeedbackMean, ascending: true).Take(1);

        Assert.Equal("poor", Assert.Single(worst).Feature);
    }

    [Fact]
    public void Sort_TiedFigures_ByNameOrdinal()
    {
        var sorted = FeatureRanking.Sort([Summary("b", adopters: 3), Summary("B", adopters: 3), Summary("a", adopters: 3), Summary("z", adopters: 9)], FeatureSort.Adopters, ascending: false);

        Assert.Equal(["z", "B", "a", "b"], sorted.Select(s => s.Feature));
    }

    [Theory]
    [InlineData(true, new[] { "B", "a", "b" })]
    [InlineData(false, new[] { "b", "a", "B" })]
    public void Sort_ByName_OrdinalWhateverTheCulture(bool ascending, string[] expected)
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US"); // which puts "a" before "B"
        try
        {
            var sorted = FeatureRanking.Sort([Summary("b"), Summary("B"), Summary("a")], FeatureSort.Name, ascending);

            Assert.Equal(expected, sorted.Select(s => s.Feature));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    private static DomainFeatureSummary Summary(string feature, long feedbackCount = 0, double feedbackSum = 0, long adopters = 1) =>
        new(feature, adopters, 10, 0.1, 0.2, 0.3, feedbackCount, feedbackSum);
}

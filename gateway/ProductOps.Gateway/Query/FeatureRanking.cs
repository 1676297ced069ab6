using ProductOps.Contracts.V1;
using DomainFeatureSummary = ProductOps.Domain.FeatureSummary;

namespace ProductOps.Gateway.Query;

/// <summary>The order of ListFeatures' rows: by the figure asked for, ties by feature name
/// (ordinal), so a limited list always ends at the same row.</summary>
public static class FeatureRanking
{
    public static IEnumerable<DomainFeatureSummary> Sort(IEnumerable<DomainFeatureSummary> summaries, FeatureSort sort, bool ascending)
    {
        Func<DomainFeatureSummary, IComparable> key = sort switch
        {
            FeatureSort.Adoption7D => s => s.Adoption7,
            FeatureSort.Adoption30D => s => s.Adoption30,
            FeatureSort.Events => s => s.EventsAllTime,
            FeatureSort.FeedbackMean => s => s.FeedbackMean,
            FeatureSort.Name => s => s.Feature,
            _ => s => s.AdoptersAllTime,
        };

        // A feature nobody rated has no mean: its 0 is no score, and ranked as one it would sit
        // among the lowest (or, on a scale with negative scores, the middling) features.
        var rated = summaries.OrderBy(s => sort == FeatureSort.FeedbackMean && s.FeedbackCount == 0);
        var ordered = ascending ? rated.ThenBy(key) : rated.ThenByDescending(key);
        return ordered.ThenBy(s => s.Feature, StringComparer.Ordinal);
    }
}

using ProductOps.Contracts.V1;
using DomainFeatureSummary = ProductOps.Domain.FeatureSummary;

namespace ProductOps.Gateway.Query;

/// <summary>The order of ListFeatures' rows: by the figure asked for, ties by feature name
/// (ordinal), so a limited list always ends at the same row; by name, ordinal too.</summary>
public static class FeatureRanking
{
    public static IEnumerable<DomainFeatureSummary> Sort(IEnumerable<DomainFeatureSummary> summaries, FeatureSort sort, bool ascending)
    {
        // A feature nobody rated has no mean: its 0 is no score, and ranked as one it would sit
        // among the lowest (or, on a scale with negative scores, the middling) features.
        var rated = summaries.OrderBy(s => sort == FeatureSort.FeedbackMean && s.FeedbackCount == 0);
        if (sort == FeatureSort.Name)
        {
            // Ordinal, as features are told apart: the culture's order would vary with the gateway's locale.
            return ascending ? rated.ThenBy(s => s.Feature, StringComparer.Ordinal) : rated.ThenByDescending(s => s.Feature, StringComparer.Ordinal);
        }

        Func<DomainFeatureSummary, double> key = sort switch
        {
            FeatureSort.Adoption7D => s => s.Adoption7,
            FeatureSort.Adoption30D => s => s.Adoption30,
            FeatureSort.Events => s => s.EventsAllTime,
            FeatureSort.FeedbackMean => s => s.FeedbackMean,
            _ => s => s.AdoptersAllTime,
        };
        var ordered = ascending ? rated.ThenBy(key) : rated.ThenByDescending(key);
        return ordered.ThenBy(s => s.Feature, StringComparer.Ordinal);
    }
}

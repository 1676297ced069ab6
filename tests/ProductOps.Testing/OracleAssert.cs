using Xunit;
using ProductOps.Domain;

namespace ProductOps.Testing;

/// <summary>Compares live results with the replay oracle: counts exactly, value sums to a
/// relative tolerance (their summation order differs).</summary>
public static class OracleAssert
{
    public const double RelativeTolerance = 1e-6;

    private static readonly HashSet<Metric> ValueSums =
        [Metric.FeatureHourValueSum, Metric.FeatureHourFeedbackSum, Metric.FeatureDayFeedbackSum, Metric.FeatureTotalFeedbackSum];

    public static void CountersEqual(CounterSet expected, CounterSet actual, string owner)
    {
        var keys = expected.Entries().Select(e => (e.Metric, e.Bucket))
            .Union(actual.Entries().Select(e => (e.Metric, e.Bucket)))
            .OrderBy(k => k.Metric).ThenBy(k => k.Bucket)
            .ToList();
        foreach (var (metric, bucket) in keys)
        {
            var want = expected.Get(metric, bucket);
            var got = actual.Get(metric, bucket);
            if (ValueSums.Contains(metric))
            {
                var scale = Math.Max(1, Math.Max(Math.Abs(want), Math.Abs(got)));
                Assert.True(
                    Math.Abs(want - got) <= RelativeTolerance * scale,
                    $"{owner} {metric}[{bucket}]: oracle {want}, live {got}");
            }
            else
            {
                Assert.True(want == got, $"{owner} {metric}[{bucket}]: oracle {want}, live {got}");
            }
        }

        Assert.True(expected.Count > 0, $"{owner}: the oracle computed no counters");
    }

    public static void SnapshotsEqual(UserSnapshot expected, UserSnapshot actual)
    {
        var who = $"{expected.UserId} at {expected.AsOfMs}";
        Assert.Equal(expected.UserId, actual.UserId);
        Assert.Equal(expected.AsOfMs, actual.AsOfMs);
        Assert.True(expected.FirstSeenMs == actual.FirstSeenMs, $"{who} FirstSeenMs: {expected.FirstSeenMs} vs {actual.FirstSeenMs}");
        Assert.True(expected.LastSeenMs == actual.LastSeenMs, $"{who} LastSeenMs: {expected.LastSeenMs} vs {actual.LastSeenMs}");
        Assert.True(expected.EventCount == actual.EventCount, $"{who} EventCount: {expected.EventCount} vs {actual.EventCount}");
        Assert.True(expected.ActiveDays == actual.ActiveDays, $"{who} ActiveDays: {expected.ActiveDays} vs {actual.ActiveDays}");
        Assert.True(expected.Sessions == actual.Sessions, $"{who} Sessions: {expected.Sessions} vs {actual.Sessions}");
        Assert.True(
            Math.Abs(expected.ValueSum - actual.ValueSum) <= RelativeTolerance * Math.Max(1, Math.Abs(expected.ValueSum)),
            $"{who} ValueSum: {expected.ValueSum} vs {actual.ValueSum}");
        Assert.Equal(expected.Features, actual.Features);
        Assert.Equal(
            expected.Traits.OrderBy(t => t.Key, StringComparer.Ordinal),
            actual.Traits.OrderBy(t => t.Key, StringComparer.Ordinal));
        Assert.True(expected.Lifecycle == actual.Lifecycle, $"{who} Lifecycle: oracle {expected.Lifecycle}, live {actual.Lifecycle}");
        Assert.True(expected.HasEvents == actual.HasEvents, $"{who} HasEvents: oracle {expected.HasEvents}, live {actual.HasEvents}");
    }
}

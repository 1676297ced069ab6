using ProductOps.Domain;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>A cycle's roll-up is sent as runs of equal buckets; a receiver adding them must end
/// with exactly the counters the cycle's deltas sum to.</summary>
public sealed class RollUpRunsTests
{
    private static readonly ReceiverKey Search = new("demo", "search");

    [Fact]
    public void Build_NewActiveDaysOfSeveralUsers_SendsEachWindowAsItsChanges()
    {
        var builder = new DispatchCycle.RollUpBuilder();
        const int Today = 20_400;
        for (var user = 0; user < 3; user++)
        {
            builder.Add(new("search", Metric.FeatureDayUsers, Today, 1), seq: 1);
            builder.Add(new("search", Metric.FeatureDayUsers7, Today, 1, 6), seq: 1);
            builder.Add(new("search", Metric.FeatureDayUsers30, Today, 1, 29), seq: 1);
        }

        // A fourth user was already active two days ago: its 30-day window starts later.
        builder.Add(new("search", Metric.FeatureDayUsers30, Today + 28, 1, 1), seq: 1);

        var runs = builder.Build(Search).Counters;

        // Each window is its changes: +3 at today, -3 after its last end; the fourth user's +1
        // two days before the others' -3 (the windows ending today + 28 and + 29 count all four).
        Assert.Equal(
            [
                new("search", Metric.FeatureDayUsers, Today, 3),
                new("search", Metric.FeatureDayUsers7Change, Today, 3),
                new("search", Metric.FeatureDayUsers7Change, Today + 7, -3),
                new("search", Metric.FeatureDayUsers30Change, Today, 3),
                new("search", Metric.FeatureDayUsers30Change, Today + 28, 1),
                new("search", Metric.FeatureDayUsers30Change, Today + 30, -4),
            ],
            runs);
    }

    [Fact]
    public void Build_ARunLongerThanOneDeltaHolds_IsSplitAtTheLengthLimit()
    {
        var builder = new DispatchCycle.RollUpBuilder();
        builder.Add(new("search", Metric.FeatureHourUsers, -35_000, 1, 34_999), seq: 1);
        builder.Add(new("search", Metric.FeatureHourUsers, 0, 1, 34_999), seq: 1);

        var runs = builder.Build(Search).Counters;

        Assert.Equal(
            [
                new("search", Metric.FeatureHourUsers, -35_000, 1, ushort.MaxValue),
                new("search", Metric.FeatureHourUsers, -35_000 + 65_536, 1, 70_000 - 65_536 - 1),
            ],
            runs);
    }

    [Fact]
    public void Build_RandomDeltas_RunsAddUpToTheSums_AndNoTwoRunsCouldBeOne()
    {
        var random = new Random(1234);
        var builder = new DispatchCycle.RollUpBuilder();
        for (var cycle = 0; cycle < 200; cycle++)
        {
            var expected = new CounterSet();
            builder.Clear();
            for (var i = random.Next(0, 300); i > 0; i--)
            {
                var delta = new CounterDelta(
                    "search",
                    random.Next(3) switch { 0 => Metric.FeatureDayUsers7, 1 => Metric.FeatureDayUsers30, _ => Metric.FeatureHourUsers },
                    random.Next(-3, 40),
                    random.Next(3) - 1, // -1, 0 or 1, so that some sums cancel out
                    (ushort)random.Next(0, 30));
                builder.Add(delta, seq: 1);
                expected.Add(delta);
            }

            var runs = builder.Build(Search).Counters;

            var received = new CounterSet();
            received.AddAll(runs);
            Assert.Equal(expected.Entries().Order(), received.Entries().Order());
            Assert.All(runs, run => Assert.Equal("search", run.Feature));
            for (var i = 1; i < runs.Count; i++)
            {
                var (previous, next) = (runs[i - 1], runs[i]);
                var adjacent = previous.Metric == next.Metric && previous.LastBucket + 1 == next.Bucket;
                Assert.False(adjacent && previous.Amount == next.Amount, $"runs {i - 1} and {i} could be one");
                Assert.True(previous.Metric < next.Metric || previous.LastBucket < next.Bucket, $"runs {i - 1} and {i} out of order");
            }
        }
    }
}

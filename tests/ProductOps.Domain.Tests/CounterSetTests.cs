using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class CounterSetTests
{
    [Fact]
    public void Add_RetractionToZero_RemovesEntry()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureHourNewAdopters, 100, 1);
        counters.Add(Metric.FeatureHourNewAdopters, 101, 1);

        counters.Add(Metric.FeatureHourNewAdopters, 100, -1);

        Assert.Equal(0, counters.Get(Metric.FeatureHourNewAdopters, 100));
        Assert.Equal([(Metric.FeatureHourNewAdopters, 101, 1.0)], counters.Entries());
        Assert.Equal(1, counters.Count);
    }

    [Fact]
    public void Copy_LaterChangesToEitherStayApart()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureHourEvents, 100, 1);

        var copy = counters.Copy();
        counters.Add(Metric.FeatureHourEvents, 100, 1);
        copy.Add(Metric.FeatureHourEvents, 101, 1);

        Assert.Equal([(Metric.FeatureHourEvents, 100, 2.0)], counters.Entries());
        Assert.Equal([(Metric.FeatureHourEvents, 100, 1.0), (Metric.FeatureHourEvents, 101, 1.0)], copy.Entries().OrderBy(e => e.Bucket));
    }

    [Fact]
    public void Add_ZeroAmount_CreatesNoEntry()
    {
        var counters = new CounterSet();

        counters.Add(Metric.FeatureHourValueSum, 5, 0);

        Assert.Equal(0, counters.Count);
        Assert.Empty(counters.Entries());
    }

    [Fact]
    public void Add_SameBucketOfDifferentMetrics_KeptApart()
    {
        var counters = new CounterSet();

        counters.Add(Metric.TenantDayUsers, 20_089, 3);
        counters.Add(Metric.TenantDayEvents, 20_089, 10);
        counters.Add(Metric.TenantDayEvents, 20_089, 2.5);

        Assert.Equal(3, counters.Get(Metric.TenantDayUsers, 20_089));
        Assert.Equal(12.5, counters.Get(Metric.TenantDayEvents, 20_089));
        Assert.Equal(2, counters.Count);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    [InlineData(0)]
    public void Entries_AnyBucket_RoundTrips(int bucket)
    {
        var counters = new CounterSet();
        counters.Add(Metric.TenantDayEvents, bucket, 4);

        Assert.Equal([(Metric.TenantDayEvents, bucket, 4.0)], counters.Entries());
        Assert.Equal(4, counters.Get(Metric.TenantDayEvents, bucket));
    }

    /// <summary>A run of window ends is kept as two changes, and each window reads the sum of the
    /// changes up to its day.</summary>
    [Fact]
    public void Add_WindowRun_TwoChangesAndEveryWindowInTheRunCounted()
    {
        var counters = new CounterSet();

        counters.Add(new CounterDelta(string.Empty, Metric.TenantDayUsers7, 100, 2, ExtraBuckets: 6));
        counters.Add(new CounterDelta(string.Empty, Metric.TenantDayUsers7, 103, 1, ExtraBuckets: 6));

        Assert.Equal([0.0, 2, 2, 2, 3, 3, 3, 3, 1, 1, 1, 0], Enumerable.Range(99, 12).Select(day => counters.Get(Metric.TenantDayUsers7, day)));
        Assert.Equal(
            [(Metric.TenantDayUsers7Change, 100, 2.0), (Metric.TenantDayUsers7Change, 103, 1.0), (Metric.TenantDayUsers7Change, 107, -2.0), (Metric.TenantDayUsers7Change, 110, -1.0)],
            counters.Entries().OrderBy(e => e.Bucket));
        Assert.Equal(0, counters.Get(Metric.TenantDayUsers30, 101)); // the other window is apart
    }

    [Fact]
    public void Add_WindowRunRetracted_NothingLeft()
    {
        var counters = new CounterSet();
        counters.Add(new CounterDelta("search", Metric.FeatureDayUsers30, 200, 1, ExtraBuckets: 29));
        Assert.Equal(1, counters.Get(Metric.FeatureDayUsers30, 215)); // read between: its running sums are built, then must move

        counters.Add(new CounterDelta("search", Metric.FeatureDayUsers30, 200, -1, ExtraBuckets: 29));

        Assert.Equal(0, counters.Count);
        Assert.Equal(0, counters.Get(Metric.FeatureDayUsers30, 215));
    }

    /// <summary>The roll-up sends a cycle's changes as they are (runs of the change metric); they
    /// add up with the windows' own adds.</summary>
    [Fact]
    public void Add_ChangeMetricRun_MovesTheWindows()
    {
        var counters = new CounterSet();
        counters.Add(new CounterDelta(string.Empty, Metric.TenantDayUsers7, 100, 1, ExtraBuckets: 6));
        Assert.Equal(1, counters.Get(Metric.TenantDayUsers7, 101));

        counters.Add(new CounterDelta(string.Empty, Metric.TenantDayUsers7Change, 101, 1, ExtraBuckets: 1)); // +1 at 101 and at 102

        Assert.Equal([1.0, 2, 3, 3], Enumerable.Range(100, 4).Select(day => counters.Get(Metric.TenantDayUsers7, day)));
    }

    [Fact]
    public void Add_WindowRunToTheLastBucket_NoChangeAfterIt()
    {
        var counters = new CounterSet();

        counters.Add(new CounterDelta(string.Empty, Metric.TenantDayUsers30, int.MaxValue - 1, 3, ExtraBuckets: 1));

        Assert.Equal([0.0, 3, 3], new[] { int.MaxValue - 2, int.MaxValue - 1, int.MaxValue }.Select(day => counters.Get(Metric.TenantDayUsers30, day)));
        Assert.Equal(1, counters.Count);
    }

    /// <summary>Snapshots written before the change form hold each window's value per day: read
    /// back, they answer the same and, once used, are stored as the changes a live set would hold.</summary>
    [Fact]
    public void StoredWindowValues_FromAnOlderSnapshot_BecomeTheSameChanges()
    {
        var values = new (Metric Metric, int Bucket, double Value)[]
        {
            (Metric.FeatureDayUsers7, 100, 1), (Metric.FeatureDayUsers7, 101, 1), (Metric.FeatureDayUsers7, 102, 3),
            (Metric.FeatureDayUsers7, 103, 2), (Metric.FeatureDayUsers7, 106, 2), (Metric.FeatureDayUsers, 100, 1),
            (Metric.FeatureHourEvents, 2_400, 5),
        };
        var live = new CounterSet();
        foreach (var (metric, bucket, value) in values)
        {
            live.Add(metric, bucket, value);
        }

        var stored = CounterSet.FromStored(values);

        Assert.Equal(
            Enumerable.Range(98, 11).Select(day => live.Get(Metric.FeatureDayUsers7, day)),
            Enumerable.Range(98, 11).Select(day => stored.Get(Metric.FeatureDayUsers7, day)));
        Assert.Equal([0.0, 1, 1, 3, 2, 0, 0, 2, 0], Enumerable.Range(99, 9).Select(day => stored.Get(Metric.FeatureDayUsers7, day)));
        Assert.Equal(live.Entries().Order(), stored.Entries().Order());
        Assert.DoesNotContain(stored.Entries(), e => e.Metric == Metric.FeatureDayUsers7);
        Assert.Equal(1, stored.Get(Metric.FeatureDayUsers, 100));
    }

    /// <summary>The stored form is the dictionary alone, as before the change form: a set read
    /// back by the serializer holding an older node's window values turns them into changes.</summary>
    [Fact]
    public void Deserialize_OlderNodesWindowValues_ReadAsWindows()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var older = CounterSet.FromStored([(Metric.TenantDayUsers30, 50, 2), (Metric.TenantDayUsers30, 51, 2), (Metric.TenantDayEvents, 50, 9)]);

        var read = serializer.Deserialize<CounterSet>(serializer.SerializeToArray(older))!;

        Assert.Equal([0.0, 2, 2, 0], Enumerable.Range(49, 4).Select(day => read.Get(Metric.TenantDayUsers30, day)));
        Assert.Equal(
            [(Metric.TenantDayEvents, 50, 9.0), (Metric.TenantDayUsers30Change, 50, 2.0), (Metric.TenantDayUsers30Change, 52, -2.0)],
            read.Entries().Order());
    }

    [Fact]
    public void Total_ReadsBucketZero()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureTotalEvents, 0, 7);
        counters.Add(Metric.FeatureTotalEvents, 1, 100);

        Assert.Equal(7, counters.Total(Metric.FeatureTotalEvents));
    }
}

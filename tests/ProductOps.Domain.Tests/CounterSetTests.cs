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
        counters.Add(Metric.TenantDayUsers30, bucket, 4);

        Assert.Equal([(Metric.TenantDayUsers30, bucket, 4.0)], counters.Entries());
        Assert.Equal(4, counters.Get(Metric.TenantDayUsers30, bucket));
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

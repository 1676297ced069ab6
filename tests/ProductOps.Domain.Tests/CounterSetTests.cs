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
    public void Changes_Untracked_NoneWhateverWasAdded()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureHourEvents, 100, 1);

        Assert.Equal(0, counters.ChangedCount);
        Assert.Equal(0, counters.Changes().Count);
    }

    /// <summary>A receiver's checkpoint writes these over its history: each changed counter once,
    /// with its value now, and one that cancelled out as zero (the history may still hold it).</summary>
    [Fact]
    public void Changes_Tracked_EachChangedCounterOnceWithItsValueNow()
    {
        var counters = CounterSet.Restore(Stored((Metric.FeatureHourEvents, 100, 4), (Metric.FeatureHourUsers, 100, 2)), CounterValues.Empty);

        counters.Add(Metric.FeatureHourEvents, 101, 1);
        counters.Add(Metric.FeatureHourEvents, 101, 2);
        counters.Add(Metric.FeatureHourUsers, 100, -2);
        counters.Add(new CounterDelta(string.Empty, Metric.FeatureDayUsers7, 10, 1, ExtraBuckets: 6));

        Assert.Equal(
            [(Metric.FeatureHourEvents, 101, 3.0), (Metric.FeatureHourUsers, 100, 0.0), (Metric.FeatureDayUsers7Change, 10, 1.0), (Metric.FeatureDayUsers7Change, 17, -1.0)],
            Read(counters.Changes()).Order());
        Assert.Equal(4, counters.ChangedCount);

        counters.ForgetChanges();
        counters.Add(Metric.FeatureHourEvents, 100, 1);

        Assert.Equal([(Metric.FeatureHourEvents, 100, 5.0)], Read(counters.Changes()));
    }

    [Fact]
    public void Restore_ChangesLaidOverTheHistory_TheSetAsItWas()
    {
        var counters = CounterSet.Restore(CounterValues.Empty, CounterValues.Empty);
        for (var hour = 0; hour < 50; hour++)
        {
            counters.Add(Metric.FeatureHourEvents, hour, hour + 1);
        }

        var history = counters.Snapshot();
        counters.ForgetChanges();
        counters.Add(Metric.FeatureHourEvents, 3, -4); // gone
        counters.Add(Metric.FeatureHourEvents, 7, 10);
        counters.Add(Metric.FeatureHourEvents, 60, 1);
        counters.Add(new CounterDelta(string.Empty, Metric.FeatureDayUsers30, 2, 1, ExtraBuckets: 29));

        var restored = CounterSet.Restore(history, counters.Changes());

        Assert.Equal(counters.Entries().Order(), restored.Entries().Order());
        Assert.Equal(counters.Get(Metric.FeatureDayUsers30, 20), restored.Get(Metric.FeatureDayUsers30, 20));
        Assert.Equal(0, restored.Get(Metric.FeatureHourEvents, 3));
        // What the changes held is still to be written over that history.
        Assert.Equal(Read(counters.Changes()), Read(restored.Changes()));
        // Laid over a history that already has them (a crash after the history was rewritten), the same set.
        Assert.Equal(counters.Entries().Order(), CounterSet.Restore(counters.Snapshot(), counters.Changes()).Entries().Order());
    }

    /// <summary>Both stored forms go through the serializer as they are.</summary>
    [Fact]
    public void CounterValues_SerializerRoundTrip_SameKeysAndValues()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var values = new CounterValues([1L << 32 | 5, 3L << 32 | 9], [2.5, 0]);

        var read = serializer.Deserialize<CounterValues>(serializer.SerializeToArray(values))!;

        Assert.Equal(values.Keys, read.Keys);
        Assert.Equal(values.Values, read.Values);
        Assert.Throws<ArgumentException>(() => new CounterValues([1], []));
    }

    private static CounterValues Stored(params (Metric Metric, int Bucket, double Value)[] entries) =>
        CounterSet.FromStored(entries).Snapshot();

    private static List<(Metric Metric, int Bucket, double Value)> Read(CounterValues values) =>
        [.. values.Keys.Select((key, i) => ((Metric)(key >> 32), (int)(key & 0xFFFF_FFFF), values.Values[i]))];

    [Fact]
    public void Total_ReadsBucketZero()
    {
        var counters = new CounterSet();
        counters.Add(Metric.FeatureTotalEvents, 0, 7);
        counters.Add(Metric.FeatureTotalEvents, 1, 100);

        Assert.Equal(7, counters.Total(Metric.FeatureTotalEvents));
    }
}

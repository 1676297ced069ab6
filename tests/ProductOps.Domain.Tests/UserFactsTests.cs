using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>What a user's events return beyond their own counts: the facts, as few deltas as they
/// can be (these are kept per user until the partition's checkpoint).</summary>
public sealed class UserFactsTests
{
    private static readonly TenantRules Rules = TenantRules.Default;

    [Fact]
    public void NewActiveDay_EntersItsRollingWindowsAsOneRangeDeltaEach()
    {
        var user = new UserActivity();
        var deltas = new List<CounterDelta>();

        user.Apply(Events.Usage("u1", Events.At(0), feature: "search"), Rules, deltas);

        var day = Events.Day0;
        Assert.Contains(new CounterDelta(string.Empty, Metric.TenantDayUsers7, day, 1, ExtraBuckets: 6), deltas);
        Assert.Contains(new CounterDelta(string.Empty, Metric.TenantDayUsers30, day, 1, ExtraBuckets: 29), deltas);
        Assert.Contains(new CounterDelta("search", Metric.FeatureDayUsers30, day, 1, ExtraBuckets: 29), deltas);
        Assert.DoesNotContain(deltas, delta => EventCounters.IsOwn(delta.Metric));
    }

    [Fact]
    public void KnownFeature_DeltasNameItByTheUsersOwnString()
    {
        // Names arrive as new strings with every call that crossed a silo; kept deltas holding them
        // would keep young objects alive from an old user.
        var user = new UserActivity();
        var deltas = new List<CounterDelta>();
        user.Apply(Events.Usage("u1", Events.At(0), feature: new string("search".AsSpan())), Rules, deltas);
        deltas.Clear();

        var later = Events.Usage("u1", Events.At(1), feature: new string("search".AsSpan()));
        user.Apply(later, Rules, deltas);

        Assert.Contains(deltas, delta => delta.Feature.Length > 0);
        Assert.All(deltas.Where(delta => delta.Feature.Length > 0), delta => Assert.Same(user.Features.Names[0], delta.Feature));
        Assert.NotSame(later.Feature, user.Features.Names[0]);
    }

    [Fact]
    public void NewActiveDayBetweenTwo_CoversOnlyTheWindowsNeitherHeld()
    {
        var user = new UserActivity();
        var deltas = new List<CounterDelta>();
        user.Apply(Events.Usage("u1", Events.At(0)), Rules, deltas);
        user.Apply(Events.Usage("u1", Events.At(10)), Rules, deltas);
        deltas.Clear();

        user.Apply(Events.Usage("u1", Events.At(5)), Rules, deltas);

        // Windows ending on days 7..9 held neither day 0 (gone after 6) nor day 10 (not yet).
        Assert.Equal(
            [new CounterDelta(string.Empty, Metric.TenantDayUsers7, Events.Day0 + 7, 1, ExtraBuckets: 2)],
            deltas.Where(delta => delta.Metric == Metric.TenantDayUsers7));
        Assert.DoesNotContain(deltas, delta => delta.Metric == Metric.TenantDayUsers30); // days 0 and 10 cover them all
    }

    [Fact]
    public void CounterSet_AddsARangeDeltaToEveryBucketItCovers()
    {
        var counters = new CounterSet();

        counters.Add(new CounterDelta(string.Empty, Metric.TenantDayUsers7, 100, 2, ExtraBuckets: 2));

        Assert.Equal([0.0, 2, 2, 2, 0], Enumerable.Range(99, 5).Select(day => counters.Get(Metric.TenantDayUsers7, day)));
    }
}

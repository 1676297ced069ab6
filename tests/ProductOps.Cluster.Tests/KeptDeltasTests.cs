using System.Runtime.CompilerServices;
using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>The deltas a user keeps for a re-dispatch, filled in place across apply calls.</summary>
public sealed class KeptDeltasTests
{
    private static readonly CounterDelta NewUser = new(string.Empty, Metric.TenantTotalUsers, 0, 1);
    private static readonly CounterDelta NewDay = new(string.Empty, Metric.TenantDayUsers, 20_400, 1);
    private static readonly CounterDelta NewHour = new("search", Metric.FeatureHourUsers, 489_600, 1);
    private static readonly CounterDelta NextHour = new("search", Metric.FeatureHourUsers, 489_601, 1);

    [Fact]
    public void AddNew_RunStartingWithResentEvents_KeepsTheirFirstDeltasOnce()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5], [1, 2], [NewUser, NewDay]));

        // A rewind re-sends 5, then brings 8. The run's copy of 5 differs here only so that a kept
        // copy overwritten by it would show; the grain always returns the kept one.
        kept.AddNew(new AppliedDeltas([5, 8], [1, 2], [NextHour, NewHour]));

        Assert.Equal(3, kept.Count);
        Assert.Equal([3L, 5L, 8L], kept.ToRun().Seqs);
        Assert.True(kept.TryFind(5, out var resent));
        Assert.Equal([NewDay], resent.ToArray());
        Assert.True(kept.TryFind(8, out var latest));
        Assert.Equal([NewHour], latest.ToArray());
    }

    [Fact]
    public void DropThrough_KeepsWhatIsAboveTheCheckpoint_AndTakesMoreAfter()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5, 8], [2, 3, 3], [NewUser, NewDay, NewHour]));
        kept.AddNew(new AppliedDeltas([9], [1], [NextHour]));

        kept.DropThrough(3);
        kept.AddNew(new AppliedDeltas([12], [2], [NewDay, NextHour]));

        Assert.False(kept.TryFind(3, out _));
        Assert.True(kept.TryFind(5, out var five));
        Assert.Equal([NewHour], five.ToArray());
        Assert.True(kept.TryFind(8, out var eight));
        Assert.Empty(eight.ToArray());
        Assert.True(kept.TryFind(9, out var nine));
        Assert.Equal([NextHour], nine.ToArray());
        Assert.True(kept.TryFind(12, out var twelve));
        Assert.Equal([NewDay, NextHour], twelve.ToArray());
        Assert.False(kept.TryFind(10, out _));
    }

    [Fact]
    public void DropThrough_EverythingThenTrim_KeepsNothingAndStillTakesMore()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5], [2, 3], [NewUser, NewDay, NewHour]));

        kept.DropThrough(5);
        kept.TrimWhenEmpty();
        kept.AddNew(new AppliedDeltas([4, 6], [1, 2], [NewHour, NextHour])); // 4 is not above the last kept, which is gone

        Assert.Equal(2, kept.Count);
        Assert.True(kept.TryFind(6, out var six));
        Assert.Equal([NextHour], six.ToArray());
    }

    [Fact]
    public void StoredRuns_ReadBack_KeepTheSameDeltas()
    {
        var state = new UserState { KeptDeltasFormat = 1 };
        state.Kept.AddNew(new AppliedDeltas([3, 5], [2, 2], [NewUser, NewDay]));
        state.Kept.AddNew(new AppliedDeltas([8], [1], [NewHour]));

        var read = new UserState { KeptDeltasFormat = 1, StoredRuns = state.StoredRuns };

        var run = Assert.Single(read.StoredRuns);
        Assert.Equal([3L, 5L, 8L], run.Seqs);
        Assert.Equal([NewUser, NewDay], run.Of(0).ToArray());
        Assert.Empty(run.Of(1).ToArray());
        Assert.Equal([NewHour], run.Of(2).ToArray());
    }

    [Fact]
    public void Features_ComeBackByName_AcrossDropsAndNewNames()
    {
        var kept = new KeptDeltas();
        var export = new CounterDelta("export", Metric.FeatureDayUsers, 20_400, 1, ExtraBuckets: 6);
        kept.AddNew(new AppliedDeltas([3, 5], [2, 4], [NewHour, NewUser, export, NextHour]));

        kept.DropThrough(5); // nothing left; the arrays, and so the names' indices, stay
        var billing = new CounterDelta(new string("billing".AsSpan()), Metric.FeatureTotalAdopters, 0, -1);
        kept.AddNew(new AppliedDeltas([7], [4], [billing, export with { Feature = new string("export".AsSpan()) }, NewDay, NewHour]));

        Assert.True(kept.TryFind(7, out var seven));
        Assert.Equal([billing, export, NewDay, NewHour], seven);
        Assert.Equal([billing, export, NewDay, NewHour], Assert.Single(new UserState { StoredRuns = [kept.ToRun()] }.StoredRuns).Deltas);
    }

    [Fact]
    public void KeptDelta_HoldsNoReference() =>
        // The point of the form: a collection never scans the delta array, and filling it marks no card.
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<KeptDeltas.KeptDelta>());

    [Fact]
    public void Pooled_ArraysGrownGivenBackAndRentedAgain_HoldOnlyTheirOwnDeltas()
    {
        var busy = new KeptDeltas();
        var features = Enumerable.Range(0, 40).Select(i => $"feature-{i}").ToArray();
        for (var seq = 1L; seq <= 300; seq++) // grows every array several times
        {
            var feature = features[seq % features.Length];
            busy.AddNew(new AppliedDeltas([seq], [2], [NewDay with { Bucket = (int)seq }, new(feature, Metric.FeatureHourUsers, (int)seq, 1)]));
        }

        Assert.True(busy.TryFind(299, out var deltas));
        Assert.Equal([NewDay with { Bucket = 299 }, new CounterDelta("feature-19", Metric.FeatureHourUsers, 299, 1)], deltas);
        busy.DropThrough(300);
        busy.TrimWhenEmpty();

        var next = new KeptDeltas(); // may get the arrays just given back
        next.AddNew(new AppliedDeltas([7], [1], [NewHour]));

        Assert.Equal(1, next.Count);
        var run = next.ToRun();
        Assert.Equal([7L], run.Seqs);
        Assert.Equal([NewHour], run.Deltas);
        Assert.False(next.TryFind(299, out _));
    }

    /// <summary>Many users' kept deltas sharing the pools, on several threads at once, each
    /// checked against a plain model after every step: re-sent runs, drops, trims, clears.</summary>
    [Fact]
    public void RandomOperations_ManyUsersOnSeveralThreads_EachMatchesItsModel() =>
        Parallel.For(0, 4, thread =>
        {
            var random = new Random(thread);
            var users = Enumerable.Range(0, 50).Select(_ => (Kept: new KeptDeltas(), Model: new SortedDictionary<long, CounterDelta[]>(), Next: new long[] { 1 })).ToArray();
            for (var step = 0; step < 20_000; step++)
            {
                var (kept, model, next) = users[random.Next(users.Length)];
                switch (random.Next(10))
                {
                    case < 6:
                        var resent = model.Keys.Reverse().Take(random.Next(0, 3)).Reverse().ToList();
                        var fresh = Enumerable.Range(0, random.Next(1, 40)).Select(_ => next[0]++).ToList();
                        var seqs = resent.Concat(fresh).ToArray();
                        var deltas = seqs.Select(seq => model.TryGetValue(seq, out var old) ? old : RandomDeltas(random, seq)).ToArray();
                        kept.AddNew(new AppliedDeltas(seqs, [.. Ends(deltas)], [.. deltas.SelectMany(d => d)]));
                        foreach (var (seq, d) in seqs.Zip(deltas))
                        {
                            model[seq] = d;
                        }

                        break;
                    case < 8:
                        var checkpoint = model.Count == 0 ? next[0] : model.Keys.ElementAt(random.Next(model.Count));
                        kept.DropThrough(checkpoint);
                        foreach (var seq in model.Keys.Where(k => k <= checkpoint).ToList())
                        {
                            model.Remove(seq);
                        }

                        kept.TrimWhenEmpty();
                        break;
                    case 8:
                        kept.Clear();
                        model.Clear();
                        break;
                    default:
                        var run = kept.ToRun();
                        Assert.Equal(model.Keys, run.Seqs);
                        Assert.Equal(model.Values.SelectMany(d => d), run.Deltas);
                        break;
                }

                Assert.Equal(model.Count, kept.Count);
                foreach (var (seq, expected) in model.TakeLast(2))
                {
                    Assert.True(kept.TryFind(seq, out var found));
                    Assert.Equal(expected, found);
                }
            }
        });

    private static CounterDelta[] RandomDeltas(Random random, long seq) =>
        [.. Enumerable.Range(0, random.Next(0, 5)).Select(i => new CounterDelta(
            random.Next(3) == 0 ? string.Empty : $"feature-{random.Next(70)}", Metric.FeatureHourUsers, (int)seq, i + 1))];

    private static IEnumerable<int> Ends(CounterDelta[][] deltas)
    {
        var end = 0;
        foreach (var d in deltas)
        {
            end += d.Length;
            yield return end;
        }
    }
}

using System.Runtime.CompilerServices;
using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>The deltas users keep for a re-dispatch, in their partition's journal on the silo.</summary>
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
    public void DropThrough_Everything_KeepsNothingAndStillTakesWhatIsAboveIt()
    {
        var kept = new KeptDeltas();
        kept.AddNew(new AppliedDeltas([3, 5], [2, 3], [NewUser, NewDay, NewHour]));

        kept.DropThrough(5);
        kept.AddNew(new AppliedDeltas([4, 6], [1, 2], [NewHour, NextHour])); // 4: the checkpoint covers it

        Assert.Equal(1, kept.Count);
        Assert.False(kept.TryFind(4, out _));
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

        kept.DropThrough(5); // nothing left: the journal lets go of its chunks and keeps its names
        var billing = new CounterDelta(new string("billing".AsSpan()), Metric.FeatureTotalAdopters, 0, -1);
        kept.AddNew(new AppliedDeltas([7], [4], [billing, export with { Feature = new string("export".AsSpan()) }, NewDay, NewHour]));

        Assert.True(kept.TryFind(7, out var seven));
        Assert.Equal([billing, export, NewDay, NewHour], seven);
        Assert.Equal([billing, export, NewDay, NewHour], Assert.Single(new UserState { StoredRuns = [kept.ToRun()] }.StoredRuns).Deltas);
    }

    [Fact]
    public void KeptDelta_HoldsNoReference() =>
        // The point of the form: a collection never scans the journal's array, and filling it marks no card.
        Assert.False(RuntimeHelpers.IsReferenceOrContainsReferences<PartitionDeltaJournal.KeptDelta>());

    [Fact]
    public void UsersSharingAJournal_EachKeepsAndStoresOnlyItsOwnEvents()
    {
        var journal = new PartitionDeltaJournal();
        var (ann, bob) = (Attached(journal), Attached(journal));
        ann.AddNew(new AppliedDeltas([3, 7], [1, 2], [NewUser, NewDay]));
        bob.AddNew(new AppliedDeltas([4, 5], [1, 1], [NewHour]));
        ann.AddNew(new AppliedDeltas([7, 9], [1, 2], [NewDay, NextHour])); // 7 re-sent

        Assert.Equal([3L, 7L, 9L], ann.ToRun().Seqs);
        Assert.Equal([NewUser, NewDay, NextHour], ann.ToRun().Deltas);
        Assert.Equal([4L, 5L], bob.ToRun().Seqs);
        Assert.Equal([NewHour], bob.ToRun().Deltas);

        ann.DropThrough(4); // the partition's checkpoint: every user's events at or below it go
        Assert.Equal([7L, 9L], ann.ToRun().Seqs);
        Assert.Equal([5L], bob.ToRun().Seqs);
        Assert.Equal(3, journal.Count);
    }

    [Fact]
    public void AttachTo_MovesWhatWasKeptBeforeIntoThePartitionsJournal()
    {
        var read = new UserState { KeptDeltasFormat = 1, StoredRuns = [new AppliedDeltas([3, 5], [1, 2], [NewUser, NewDay])] };
        var journal = new PartitionDeltaJournal();

        read.Kept.AttachTo(journal);
        read.Kept.AddNew(new AppliedDeltas([8], [1], [NewHour]));

        Assert.Equal(3, journal.Count);
        Assert.Equal([3L, 5L, 8L], read.Kept.ToRun().Seqs);
        Assert.True(journal.TryFind(5, out var five));
        Assert.Equal([NewDay], five);
    }

    /// <summary>Far more deltas written than a chunk holds, with checkpoints dropping the older ones
    /// in between: chunks whose deltas were all dropped are written again, every event still
    /// answers its own deltas, and the first emptying keeps one chunk (what a stretch before it
    /// needed: none).</summary>
    [Fact]
    public void WrittenPastAChunk_WithDropsBetween_ChunksAreReusedAndEveryLiveEventKeepsItsDeltas()
    {
        var journal = new PartitionDeltaJournal();
        var users = Enumerable.Range(0, 7).Select(_ => Attached(journal)).ToArray();
        var features = Enumerable.Range(0, 40).Select(i => $"feature-{i}").ToArray();
        var expected = new Dictionary<long, CounterDelta[]>();
        for (var seq = 1L; seq <= 20_000; seq++)
        {
            // Every fifth event has no deltas at all (an identify, a repeat that changes no counter).
            CounterDelta[] deltas = [.. Enumerable.Range(0, (int)(seq % 5)).Select(i => new CounterDelta(
                i == 0 ? string.Empty : features[(seq + i) % features.Length], Metric.FeatureHourUsers, (int)seq, i))];
            users[seq % users.Length].AddNew(new AppliedDeltas([seq], [deltas.Length], deltas));
            expected[seq] = deltas;
            if (seq % 3_000 == 0)
            {
                journal.DropThrough(seq - 1_000); // a burst checkpointed, the last second of it not yet
                for (var live = seq - 999; live <= seq; live++)
                {
                    Assert.True(journal.TryFind(live, out var kept));
                    Assert.Equal(expected[live], kept);
                }
            }
        }

        Assert.Equal(3_000, journal.Count);
        for (var seq = 1L; seq <= 20_000; seq++)
        {
            Assert.Equal(seq > 17_000, journal.TryFind(seq, out var found));
            if (seq > 17_000)
            {
                Assert.Equal(expected[seq], found);
            }
        }

        var first = users[17_001 % users.Length].ToRun();
        Assert.Equal(Enumerable.Range(0, 20_001).Select(i => (long)i).Where(s => s > 17_000 && s % users.Length == 17_001 % users.Length), first.Seqs);
        Assert.InRange(journal.Chunks, 1, 4); // ~40,000 deltas written, at most ~8,000 alive at once

        journal.DropThrough(20_000);
        Assert.Equal(0, journal.Count);
        Assert.Equal(1, journal.Chunks);
        Assert.DoesNotContain(first.Seqs, seq => journal.TryFind(seq, out _));
    }

    /// <summary>Under steady load the journal empties at most checkpoints; it then writes into the
    /// chunks and the entries' table it had, rather than allocating them again. A burst's chunks
    /// go at the emptying after it (the partition may stay quiet from then on), and so do all but
    /// one after a checkpoint with nothing new.</summary>
    [Fact]
    public void EmptiedAtEveryCheckpoint_KeepsWhatTheLoadNeeds_AndGivesBackABurstAtOnce()
    {
        var journal = new PartitionDeltaJournal();
        var users = Enumerable.Range(0, 50).Select(_ => Attached(journal)).ToArray();
        const int PerCheckpoint = 3_000; // ~6,000 deltas: two chunks
        var runs = Enumerable.Range(1, 12 * PerCheckpoint)
            .Select(seq => new AppliedDeltas([seq], [2], [NewDay with { Bucket = seq }, NewHour with { Bucket = seq }]))
            .ToArray();
        var next = 0;
        long Round(int events)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var end = next + events; next < end; next++)
            {
                users[next % users.Length].AddNew(runs[next]);
            }

            journal.DropThrough(next);
            Assert.Equal(0, journal.Count);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        // The load varies a little. The first emptying keeps one chunk (no stretch before it),
        // the second the two both stretches needed, with a table for the smaller and half again.
        var allocated = new List<long> { Round(PerCheckpoint * 5 / 6) };
        Assert.Equal(1, journal.Chunks);
        for (var round = 1; round < 6; round++)
        {
            allocated.Add(Round(round % 2 == 0 ? PerCheckpoint * 5 / 6 : PerCheckpoint));
            Assert.Equal(2, journal.Chunks);
        }

        Assert.True(allocated[0] > 2 * 96 * 1024, $"first round allocated {allocated[0]:N0} bytes");
        Assert.All(allocated.Skip(2), bytes => Assert.True(bytes < 4 * 1024, $"a steady round allocated {bytes:N0} bytes: {string.Join(", ", allocated)}"));

        Round(5 * PerCheckpoint); // a burst: ~30,000 deltas, eight chunks
        Assert.Equal(2, journal.Chunks);
        Assert.True(Round(PerCheckpoint) < 4 * 1024, "the load after the burst allocated anew");

        journal.DropThrough(next + 1); // a checkpoint with nothing new: the journal is idle
        Assert.Equal(1, journal.Chunks);
    }

    /// <summary>An event without deltas dropped after its chunk had emptied once handed that chunk
    /// out twice, and a later event's deltas were written over a live one's.</summary>
    [Fact]
    public void EventsWithoutDeltas_DroppedAfterTheirChunkEmptied_NeverFreeAChunkTwice()
    {
        var journal = new PartitionDeltaJournal();
        var kept = Attached(journal);
        CounterDelta[] Deltas(int count, int bucket) => [.. Enumerable.Range(0, count).Select(i => NewHour with { Bucket = bucket, Amount = i + 1 })];
        kept.AddNew(new AppliedDeltas([1, 2, 3], [4_000, 4_000, 4_200], [.. Deltas(4_000, 1), .. Deltas(200, 3)]));

        journal.DropThrough(2);
        kept.AddNew(new AppliedDeltas([4, 5, 6], [3_896, 3_996, 7_996], [.. Deltas(3_896, 4), .. Deltas(100, 5), .. Deltas(4_000, 6)]));

        for (var seq = 3; seq <= 6; seq++)
        {
            Assert.True(journal.TryFind(seq, out var found));
            Assert.All(found, delta => Assert.Equal(seq, delta.Bucket));
        }

        Assert.Equal([3L, 4L, 5L, 6L], kept.ToRun().Seqs);
    }

    [Fact]
    public void AnEventWithMoreDeltasThanAChunk_IsKeptWhole_AndItsChunkGoesWithIt()
    {
        var journal = new PartitionDeltaJournal();
        var kept = Attached(journal);
        CounterDelta[] many = [.. Enumerable.Range(0, 5_000).Select(i => NewDay with { Bucket = i })];
        kept.AddNew(new AppliedDeltas([1, 2], [1, 5_001], [NewUser, .. many]));

        Assert.True(journal.TryFind(2, out var found));
        Assert.Equal(many, found);
        journal.DropThrough(2);
        Assert.Equal(1, journal.Chunks);
        kept.AddNew(new AppliedDeltas([3], [1], [NewHour]));
        Assert.True(journal.TryFind(3, out var three));
        Assert.Equal([NewHour], three);
    }

    [Fact]
    public void ManyNames_AnEmptiedJournalIndexesThemAnew_AndStillNamesEachDeltaRight()
    {
        var journal = new PartitionDeltaJournal();
        var kept = Attached(journal);
        for (var seq = 1L; seq <= 1_500; seq++)
        {
            kept.AddNew(new AppliedDeltas([seq], [1], [new CounterDelta($"feature-{seq}", Metric.FeatureHourUsers, 1, 1)]));
        }

        journal.DropThrough(1_500); // empty, with more names than it keeps
        kept.AddNew(new AppliedDeltas([1_501, 1_502], [1, 2], [new("beta", Metric.FeatureHourUsers, 1, 1), new("feature-7", Metric.FeatureDayUsers, 2, 1)]));

        Assert.True(journal.TryFind(1_501, out var first));
        Assert.Equal([new CounterDelta("beta", Metric.FeatureHourUsers, 1, 1)], first);
        Assert.True(journal.TryFind(1_502, out var second));
        Assert.Equal([new CounterDelta("feature-7", Metric.FeatureDayUsers, 2, 1)], second);
    }

    /// <summary>The partition's users apply on several threads at once into one journal, while its
    /// checkpoint moves: each keeps exactly its own events above it.</summary>
    [Fact]
    public void OneJournal_UsersOnSeveralThreads_WithCheckpointsMoving_EachKeepsItsOwn()
    {
        var journal = new PartitionDeltaJournal();
        const int Threads = 4, PerThread = 20_000;
        var users = Enumerable.Range(0, Threads).Select(_ => Enumerable.Range(0, 10).Select(_ => Attached(journal)).ToArray()).ToArray();
        Parallel.For(0, Threads, thread =>
        {
            for (var i = 1; i <= PerThread; i++)
            {
                long seq = ((long)i * Threads) + thread; // the partition's seqs, spread over the threads
                users[thread][i % 10].AddNew(new AppliedDeltas([seq], [(int)(seq % 3)], [.. Enumerable.Repeat(NewDay with { Bucket = (int)seq }, (int)(seq % 3))]));
                if (thread == 0 && i % 2_000 == 0)
                {
                    journal.DropThrough(seq - 4_000);
                }
            }
        });

        var above = ((long)PerThread * Threads) - 4_000; // the last checkpoint thread 0 brought
        for (var thread = 0; thread < Threads; thread++)
        {
            for (var u = 0; u < 10; u++)
            {
                var run = users[thread][u].ToRun();
                Assert.All(run.Seqs, seq => Assert.Equal(thread, (int)(seq % Threads)));
                Assert.Equal(run.Seqs.Order(), run.Seqs);
                for (var i = 0; i < run.Seqs.Length; i++)
                {
                    Assert.Equal(Enumerable.Repeat(NewDay with { Bucket = (int)run.Seqs[i] }, (int)(run.Seqs[i] % 3)), run.Of(i).ToArray());
                }

                var expected = Enumerable.Range(1, PerThread).Where(i => i % 10 == u).Select(i => ((long)i * Threads) + thread).Where(seq => seq > above);
                Assert.Equal(expected, run.Seqs.Where(seq => seq > above));
            }
        }
    }

    /// <summary>Many users sharing a partition's journal, checked against a plain model after
    /// every step: re-sent runs, checkpoints, clears (four partitions' journals, one a thread).</summary>
    [Fact]
    public void RandomOperations_ManyUsersOfEachPartition_EachMatchesItsModel() =>
        Parallel.For(0, 4, thread =>
        {
            var random = new Random(thread);
            var journal = new PartitionDeltaJournal();
            var nextSeq = 1L;
            var users = Enumerable.Range(0, 50).Select(_ => (Kept: Attached(journal), Model: new SortedDictionary<long, CounterDelta[]>())).ToArray();
            for (var step = 0; step < 20_000; step++)
            {
                var user = random.Next(users.Length);
                ref var kept = ref users[user].Kept; // a struct: changed where it lives
                var model = users[user].Model;
                switch (random.Next(10))
                {
                    case < 7:
                        var resent = model.Keys.Reverse().Take(random.Next(0, 3)).Reverse().ToList();
                        var fresh = Enumerable.Range(0, random.Next(1, 5)).Select(_ => nextSeq += random.Next(1, 4)).ToList();
                        var seqs = resent.Concat(fresh).ToArray();
                        var deltas = seqs.Select(seq => model.TryGetValue(seq, out var old) ? old : RandomDeltas(random, seq)).ToArray();
                        kept.AddNew(new AppliedDeltas(seqs, [.. Ends(deltas)], [.. deltas.SelectMany(d => d)]));
                        foreach (var (seq, d) in seqs.Zip(deltas))
                        {
                            model[seq] = d;
                        }

                        break;
                    case < 9:
                        var checkpoint = nextSeq - random.Next(0, 300);
                        kept.DropThrough(checkpoint);
                        foreach (var (_, other) in users)
                        {
                            foreach (var seq in other.Keys.Where(k => k <= checkpoint).ToList())
                            {
                                other.Remove(seq);
                            }
                        }

                        break;
                    default:
                        kept.Clear();
                        model.Clear();
                        break;
                }

                var run = kept.ToRun();
                Assert.Equal(model.Keys, run.Seqs);
                Assert.Equal(model.Values.SelectMany(d => d), run.Deltas);
                foreach (var (seq, expected) in model.TakeLast(2))
                {
                    Assert.True(kept.TryFind(seq, out var found));
                    Assert.Equal(expected, found);
                }
            }
        });

    private static KeptDeltas Attached(PartitionDeltaJournal journal)
    {
        var kept = new KeptDeltas();
        kept.AttachTo(journal);
        return kept;
    }

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

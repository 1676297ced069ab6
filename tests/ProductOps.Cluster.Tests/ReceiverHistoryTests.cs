using Microsoft.Extensions.DependencyInjection;
using Orleans.Core.Internal;
using Orleans.Runtime.Placement;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// A receiver's checkpoint writes the counters changed since its history was last written, not
/// all of them, and rewrites the history once enough changed; whatever write fails or is cut off
/// on the way, the receiver reads back exactly what it held, with nothing counted twice.
/// </summary>
[Collection(ReceiverWriteStorage.Collection)]
public sealed class ReceiverHistoryTests
{
    private const int RewriteAfter = 64;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        [ReceiverWriteStorage.Setting] = "true",
        ["ProductOps:Pipeline:ReceiverHistoryRewriteAfter"] = RewriteAfter.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public Task Checkpoint_WritesTheChangedCounters_TheWholeHistoryOnlyOnceEnoughChanged() =>
        RunAsync(silos: 1, async cluster =>
        {
            var feature = Feature(cluster, "export");
            var expected = new CounterSet();
            await ReceiveHoursAsync(feature, expected, from: 0, upTo: 10, hours: Enumerable.Range(0, 100));
            await feature.Flush(partition: 0);

            // 100 changed counters: over the threshold, so the history holds them and the record none.
            Assert.Equal([("feature", 100), ("feature-history", 100), ("feature", 0)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));

            await ReceiveHoursAsync(feature, expected, from: 10, upTo: 20, hours: [5, 200]);
            await feature.Flush(partition: 0);
            await ReceiveHoursAsync(feature, expected, from: 20, upTo: 30, hours: [6]);
            await feature.Flush(partition: 0);
            await feature.Flush(partition: 0); // nothing new: nothing written

            Assert.Equal([("feature", 2), ("feature", 3)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));

            // A new hour per checkpoint: each writes the changes so far (4, 5, ... counters), and the
            // history is rewritten once those writes add up to the whole set (5 + 4 + ... + 15 = 119
            // >= 113 counters, at the twelfth), not before.
            var expectedWrites = new List<(string, int)>();
            for (var k = 1; k <= 12; k++)
            {
                await ReceiveHoursAsync(feature, expected, from: 20 + (10 * k), upTo: 30 + (10 * k), hours: [300 + k]);
                await feature.Flush(partition: 0);
                expectedWrites.Add(("feature", 3 + k));
            }

            expectedWrites.AddRange([("feature-history", 113), ("feature", 0)]);
            Assert.Equal(expectedWrites, ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));

            await ReactivateAsync(cluster);
            AssertSame(expected, await feature.GetCounters());
            Assert.Equal(150, await feature.Flush(partition: 0));
            Assert.Equal(ReceiveStatus.AlreadyApplied, (await feature.Receive(HoursDelta(from: 140, upTo: 150, [312]))).Status);
        });

    /// <summary>The own record is written again, with no changes, after the history. Its reply
    /// lost, the activation's next write is refused (a stale etag) and a new one reads the store.</summary>
    [Fact]
    public Task RecordWriteAfterTheHistory_ReplyLost_ReadBackExactly() =>
        RunAsync(silos: 1, async cluster =>
        {
            var (feature, expected) = await FirstFlushFailedAsync(cluster, "import", hours: 80, "feature", nth: 2, ReceiverWriteStorage.Fault.ReplyLost);
            Assert.Equal([("feature", 80), ("feature-history", 80), ("feature", 0)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));
            await Assert.ThrowsAnyAsync<InconsistentStateException>(() => feature.Flush(partition: 0));

            AssertSame(expected, await feature.GetCounters());
            await ReceiveHoursAsync(feature, expected, from: 10, upTo: 20, hours: [0, 100]);
            Assert.Equal(20, await feature.Flush(partition: 0));
            await ReactivateAsync(cluster);
            AssertSame(expected, await feature.GetCounters());
        });

    /// <summary>The silo dies after the history write: the store holds the own record with changes
    /// whose values the history already has, and laying them over it again counts nothing twice.</summary>
    [Fact]
    public Task RecordWriteAfterTheHistory_NeverStored_NothingCountedTwice() =>
        RunAsync(silos: 1, async cluster =>
        {
            var (feature, expected) = await FirstFlushFailedAsync(cluster, "import", hours: 80, "feature", nth: 2, ReceiverWriteStorage.Fault.StoreGone);
            await ReactivateAsync(cluster); // its last write fails too
            Assert.Equal([("feature", 80), ("feature-history", 80)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));
            ReceiverWriteStorage.Reset();

            AssertSame(expected, await feature.GetCounters());
            Assert.Equal(10, await feature.Flush(partition: 0));
            await ReceiveHoursAsync(feature, expected, from: 10, upTo: 20, hours: [0, 100]);
            Assert.Equal(20, await feature.Flush(partition: 0));
            Assert.Equal([("feature", 81), ("feature-history", 81), ("feature", 0)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));
            await ReactivateAsync(cluster);
            AssertSame(expected, await feature.GetCounters());
        });

    /// <summary>A history write that never reached the store leaves every change in the own record,
    /// and the next checkpoint writes the history.</summary>
    [Fact]
    public Task HistoryWrite_NeverStored_TheNextCheckpointWritesIt() =>
        RunAsync(silos: 1, async cluster =>
        {
            var (feature, expected) = await FirstFlushFailedAsync(cluster, "alerts", hours: 70, "feature-history", nth: 1, ReceiverWriteStorage.Fault.BeforeStoring);
            Assert.Equal([("feature", 70)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));

            await ReceiveHoursAsync(feature, expected, from: 10, upTo: 20, hours: [0]);
            Assert.Equal(20, await feature.Flush(partition: 0));
            Assert.Equal([("feature", 70), ("feature-history", 70), ("feature", 0)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));
            await ReactivateAsync(cluster);
            AssertSame(expected, await feature.GetCounters());
        });

    /// <summary>A history write whose reply was lost: the activation's next history write is refused
    /// (a stale etag), and a new activation lays the own record's changes over the stored history.</summary>
    [Fact]
    public Task HistoryWrite_ReplyLost_ReadBackExactly() =>
        RunAsync(silos: 1, async cluster =>
        {
            var (feature, expected) = await FirstFlushFailedAsync(cluster, "alerts", hours: 70, "feature-history", nth: 1, ReceiverWriteStorage.Fault.ReplyLost);
            Assert.Equal([("feature", 70), ("feature-history", 70)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));
            await ReceiveHoursAsync(feature, expected, from: 10, upTo: 20, hours: [0]);
            await Assert.ThrowsAnyAsync<InconsistentStateException>(() => feature.Flush(partition: 0));
            // The refused activation goes (its last write may store the own record once more, and
            // fail the history again); the next reads the store.
            Assert.DoesNotContain(("feature-history", 70), ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));

            AssertSame(expected, await feature.GetCounters());
            Assert.Equal(20, await feature.Flush(partition: 0));
        });

    /// <summary>Records written before the history existed hold every counter: read as they are,
    /// and the first checkpoint moves them into a history.</summary>
    [Fact]
    public Task RecordOfAnEarlierBuild_ReadBack_SameCountersThenAHistory() =>
        RunAsync(silos: 1, async cluster =>
        {
            var feature = Feature(cluster, "legacy");
            var expected = new CounterSet();
            var older = new FeatureState { Counters = expected };
            older.Ledger.Watermarks[0] = 10;
            for (var hour = 0; hour < 100; hour++)
            {
                expected.Add(Metric.FeatureHourEvents, hour, hour + 1);
            }

            var storage = ((InProcessSiloHandle)cluster.Primary!).SiloHost!.Services
                .GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
            await storage.WriteStateAsync("feature", feature.GetGrainId(), new GrainState<FeatureState>(older));
            ReceiverWriteStorage.TakeWrites(feature.GetGrainId());

            AssertSame(expected, await feature.GetCounters());
            await ReceiveHoursAsync(feature, expected, from: 10, upTo: 20, hours: [3]);
            Assert.Equal(20, await feature.Flush(partition: 0));
            // Every counter is a change as far as the store knows: all written, then as a history.
            Assert.Equal([("feature", 100), ("feature-history", 100), ("feature", 0)], ReceiverWriteStorage.TakeWrites(feature.GetGrainId()));

            await ReactivateAsync(cluster);
            AssertSame(expected, await feature.GetCounters());
        });

    /// <summary>Orleans moves an activation to another silo with the state it holds in memory (a
    /// silo's graceful stop does this for every grain it hosts): the counters changed since the
    /// history must move with it.</summary>
    [Fact]
    public Task Migrated_ToAnotherSilo_SameCountersAndLedger() =>
        RunAsync(silos: 2, async cluster =>
        {
            var feature = Feature(cluster, "moving");
            var tenant = cluster.Client.GetGrain<ITenantGrain>(ReceiverWriteStorage.Tenant);
            var expectedFeature = new CounterSet();
            var expectedTenant = new CounterSet();
            await ReceiveHoursAsync(feature, expectedFeature, from: 0, upTo: 10, hours: Enumerable.Range(0, 100));
            await ReceiveDaysAsync(tenant, expectedTenant, from: 0, upTo: 10, Enumerable.Range(20_000, 100));
            await feature.Flush(partition: 0);
            await tenant.Flush(partition: 0);
            await ReceiveHoursAsync(feature, expectedFeature, from: 10, upTo: 20, hours: [1, 150]);
            await ReceiveDaysAsync(tenant, expectedTenant, from: 10, upTo: 20, [20_001, 20_150]);

            foreach (IAggregateGrain receiver in new IAggregateGrain[] { feature, tenant })
            {
                var before = await SiloOfAsync(cluster, receiver);
                var target = cluster.Silos.Select(s => s.SiloAddress).First(s => s != before);
                RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
                try
                {
                    await receiver.Cast<IGrainManagementExtension>().MigrateOnIdle();
                }
                finally
                {
                    RequestContext.Clear();
                }

                await Polling.Until(async () => await SiloOfAsync(cluster, receiver) == target, TimeSpan.FromSeconds(30), () => $"{receiver} did not move");
            }

            AssertSame(expectedFeature, await feature.GetCounters());
            AssertSame(expectedTenant, await tenant.GetCounters());
            Assert.Equal(20, await feature.Flush(partition: 0));
            Assert.Equal(20, await tenant.Flush(partition: 0));
            await ReactivateAsync(cluster);
            AssertSame(expectedFeature, await feature.GetCounters());
            AssertSame(expectedTenant, await tenant.GetCounters());
        });

    private static async Task<SiloAddress?> SiloOfAsync(TestCluster cluster, IAggregateGrain receiver) =>
        (await TestClusterFactory.HostsOfAsync(cluster, receiver)).FirstOrDefault();

    private static Task RunAsync(short silos, Func<TestCluster, Task> test)
    {
        ReceiverWriteStorage.Reset();
        return TestClusterFactory.WithClusterAsync(silos, (cluster, _) => test(cluster), Settings);
    }

    /// <summary>A feature that received one count in each of <paramref name="hours"/> hours, whose
    /// first flush failed at the <paramref name="nth"/> write of <paramref name="state"/>.</summary>
    private static async Task<(IFeatureGrain Feature, CounterSet Expected)> FirstFlushFailedAsync(
        TestCluster cluster, string name, int hours, string state, int nth, ReceiverWriteStorage.Fault fault)
    {
        var feature = Feature(cluster, name);
        var expected = new CounterSet();
        await ReceiveHoursAsync(feature, expected, from: 0, upTo: 10, hours: Enumerable.Range(0, hours));
        ReceiverWriteStorage.Fail(state, nth, fault);
        await Assert.ThrowsAnyAsync<Exception>(() => feature.Flush(partition: 0));
        return (feature, expected);
    }

    private static IFeatureGrain Feature(TestCluster cluster, string name) =>
        cluster.Client.GetGrain<IFeatureGrain>(GrainKeys.For(ReceiverWriteStorage.Tenant, name));

    private static AggregateDelta HoursDelta(long from, long upTo, IEnumerable<int> hours) =>
        new(Partition: 0, Required: from, FromSeq: from, UpToSeq: upTo,
            [.. hours.Select(hour => new CounterDelta(string.Empty, Metric.FeatureHourEvents, hour, 1))], DispatchInfo.None);

    private static Task ReceiveHoursAsync(IFeatureGrain feature, CounterSet expected, long from, long upTo, IEnumerable<int> hours) =>
        ReceiveAsync(feature, expected, HoursDelta(from, upTo, hours));

    private static Task ReceiveDaysAsync(ITenantGrain tenant, CounterSet expected, long from, long upTo, IEnumerable<int> days) =>
        ReceiveAsync(tenant, expected, new AggregateDelta(Partition: 0, Required: from, FromSeq: from, UpToSeq: upTo,
            [.. days.Select(day => new CounterDelta(string.Empty, Metric.TenantDayEvents, day, 2))], DispatchInfo.None));

    private static async Task ReceiveAsync(IAggregateGrain receiver, CounterSet expected, AggregateDelta delta)
    {
        Assert.Equal(ReceiveStatus.Applied, (await receiver.Receive(delta)).Status);
        expected.AddAll(delta.Counters);
    }

    /// <summary>Every idle activation goes (writing what it has not stored); the next call reads the store.</summary>
    private static Task ReactivateAsync(TestCluster cluster) =>
        cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    private static void AssertSame(CounterSet expected, CounterSet actual) =>
        Assert.Equal(expected.Entries().Order(), actual.Entries().Order());
}

using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// A receiver's flush must report only the watermark its stored state holds: the partition trusts
/// it to checkpoint past those events, so anything more is lost for good in a crash. Orleans lets a
/// blocking call (Receive) start while an interleaving one (Flush) awaits its write.
/// </summary>
[Collection(HeldAckStorage.Collection)]
public sealed class ReceiverFlushTests
{
    [Fact]
    public Task ReceiveWhileAFlushWriteIsOut_WaitsForIt_SoTheFlushReportsWhatWasStored() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            var feature = cluster.Client.GetGrain<IFeatureGrain>(GrainKeys.For(HeldAckStorage.Tenant, "import"));
            var grainId = feature.GetGrainId();
            Assert.Equal(ReceiveStatus.Applied, (await feature.Receive(Delta(from: 0, upTo: 10))).Status);

            HeldAckStorage.Hold();
            try
            {
                var flush = feature.Flush(partition: 0);
                await HeldAckStorage.WriteHeld.WaitAsync(TimeSpan.FromSeconds(30));

                // The write is stored (watermark 10), its acknowledgement not yet back.
                // A read sent after the delta is served after it has started (calls from one client
                // arrive in order, and both may start while the flush awaits): it must still see
                // the state being written.
                var receive = feature.Receive(Delta(from: 10, upTo: 20)).AsTask();
                var duringWrite = await feature.GetCounters();
                Assert.True(duringWrite.Get(Metric.FeatureHourEvents, 7) == 1, "a delta was applied while the state was being written");
                Assert.False(receive.IsCompleted);

                HeldAckStorage.Release();
                var reported = await flush;
                Assert.Equal(HeldAckStorage.StoredWatermarkOf(grainId), reported);
                Assert.Equal(10, reported);

                Assert.Equal(ReceiveStatus.Applied, (await receive).Status);
                Assert.Equal(20, await feature.Flush(partition: 0));
                Assert.Equal(20, HeldAckStorage.StoredWatermarkOf(grainId));
                Assert.Equal(2, (await feature.GetCounters()).Get(Metric.FeatureHourEvents, 7));
            }
            finally
            {
                HeldAckStorage.Release();
            }
        }, new Dictionary<string, string?> { [HeldAckStorage.Setting] = "true" });

    private static AggregateDelta Delta(long from, long upTo) =>
        new(Partition: 0, Required: from, FromSeq: from, UpToSeq: upTo,
            [new CounterDelta("import", Metric.FeatureHourEvents, Bucket: 7, Amount: 1)], DispatchInfo.None);
}

using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>An at-risk index shard whose write fails keeps what it held as unpersisted and
/// writes it at its next turn, even when nothing else is recorded meanwhile.</summary>
[Collection(ReceiverWriteStorage.Collection)]
public sealed class ChurnIndexWriteFailureTests
{
    private const string StateName = "churn-index";

    [Fact]
    public Task Shard_WriteFailsOnce_UserWrittenAtTheNextTurnWithoutAnotherRecord() =>
        TestClusterFactory.WithClusterAsync(silos: 1, async (cluster, _) =>
        {
            ReceiverWriteStorage.Reset();
            var shard = cluster.Client.GetGrain<IChurnIndexGrain>(ChurnIndexKeys.For(ReceiverWriteStorage.Tenant, 0));
            ReceiverWriteStorage.Fail(StateName, nth: 1, ReceiverWriteStorage.Fault.BeforeStoring);

            await shard.Record(new ChurnIndexEntry("user-1", new ChurnRisk(0.4f, 1, 0, []), ["search"]));

            await Polling.Until(() => !ReceiverWriteStorage.FaultArmed, TimeSpan.FromSeconds(30), () => "the shard never wrote");
            await Polling.Eventually(async () =>
            {
                var storage = ((InProcessSiloHandle)cluster.Primary!).SiloHost.Services.GetRequiredKeyedService<IGrainStorage>(StorageSiloBuilderExtensions.GrainStorageName);
                var stored = new GrainState<ChurnIndexState>(new ChurnIndexState());
                await storage.ReadStateAsync(StateName, shard.GetGrainId(), stored);
                Assert.True(stored.State!.Users.TryGetValue("user-1", out var line), "user-1 is not stored");
                Assert.Equal(0.4f, line.Risk!.Probability);
            }, TimeSpan.FromSeconds(30));
        },
        new Dictionary<string, string?>
        {
            [ReceiverWriteStorage.Setting] = "true",
            ["ProductOps:Churn:IndexPersistInterval"] = "00:00:00.100",
            ["ProductOps:Churn:IndexScorePersistInterval"] = "01:00:00",
        });
}

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TestingHost;
using ProductOps.Grains;
using ProductOps.Storage;

namespace ProductOps.Cluster.Tests;

/// <summary>Test silos run the real pipeline over the real embedded store.</summary>
public sealed class ClusterSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddProductOpsPipeline().AddEmbeddedStorage().AddChurnModels().AddChurnServing();
        if (siloBuilder.Configuration.GetValue<bool>(FlakyCheckpointStorage.Setting))
        {
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(
                StorageSiloBuilderExtensions.GrainStorageName,
                (sp, _) => new FlakyCheckpointStorage(sp.GetRequiredService<SqliteGrainStorage>()));
        }

        if (siloBuilder.Configuration.GetValue<bool>(HeldAckStorage.Setting))
        {
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(
                StorageSiloBuilderExtensions.GrainStorageName,
                (sp, _) => new HeldAckStorage(sp.GetRequiredService<SqliteGrainStorage>()));
        }

        if (siloBuilder.Configuration.GetValue<bool>(ReceiverWriteStorage.Setting))
        {
            siloBuilder.Services.AddKeyedSingleton<IGrainStorage>(
                StorageSiloBuilderExtensions.GrainStorageName,
                (sp, _) => new ReceiverWriteStorage(sp.GetRequiredService<SqliteGrainStorage>()));
        }

        if (siloBuilder.Configuration.GetValue<bool>(ExpiringCallsFilter.Setting))
        {
            siloBuilder.AddIncomingGrainCallFilter<ExpiringCallsFilter>();
        }

        if (siloBuilder.Configuration.GetValue<bool>(BrokenKeptDeltasFilter.Setting))
        {
            siloBuilder.AddIncomingGrainCallFilter<BrokenKeptDeltasFilter>();
        }

        if (siloBuilder.Configuration.GetValue<bool>(FailingRescoreFilter.Setting))
        {
            siloBuilder.AddIncomingGrainCallFilter<FailingRescoreFilter>();
        }

        if (siloBuilder.Configuration.GetValue<bool>(FailingFeedFilter.Setting))
        {
            siloBuilder.AddIncomingGrainCallFilter<FailingFeedFilter>();
        }

        if (siloBuilder.Configuration.GetValue<bool>(FailingEventLog.Setting))
        {
            siloBuilder.Services.AddSingleton<SqliteEventLog>();
            siloBuilder.Services.AddSingleton<IEventLog>(sp => new FailingEventLog(sp.GetRequiredService<SqliteEventLog>()));
        }
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace ProductOps.Cluster.Tests;

/// <summary>Installs <see cref="StalledApplyFilter"/> and keeps the partitions' warnings in
/// <see cref="CapturedWarnings"/>, on top of <see cref="ClusterSiloConfigurator"/>.</summary>
public sealed class StalledApplyConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        siloBuilder.AddIncomingGrainCallFilter<StalledApplyFilter>();
        siloBuilder.Services.AddSingleton<ILoggerProvider, CapturedWarnings>();
    }
}

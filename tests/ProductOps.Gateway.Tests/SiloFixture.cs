using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>The node most tests share: one process for the collection, on a fresh data directory.
/// Tests keep apart by using user ids and features of their own.</summary>
public sealed class SiloFixture : IAsyncLifetime
{
    private static readonly TimeSpan SettleWindow = TimeSpan.FromSeconds(1.5);

    private readonly string _dataDir = TempDirectory.Create();
    private SiloProcess? _silo;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("the silo is not started");

    public IngestService.IngestServiceClient Ingest => Silo.Ingest;

    public QueryService.QueryServiceClient Query => Silo.Query;

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync(_dataDir);

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        TempDirectory.Delete(_dataDir);
    }

    /// <summary>
    /// The overview once earlier tests' work has landed: nothing pending dispatch and the
    /// ingestion counters (flushed every 0.5 s) unchanged over a window of several flushes, so a
    /// test can measure its own effect as a difference from it.
    /// </summary>
    public async Task<OverviewView> SettledOverviewAsync() => await Polling.Eventually(async () =>
    {
        var first = await Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        Assert.True(first.Freshness.CaughtUp);
        await Task.Delay(SettleWindow);
        var second = await Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
        Assert.True(second.Freshness.CaughtUp);
        Assert.Equal(first.Counters, second.Counters);
        Assert.Equal(first.TotalEvents, second.TotalEvents);
        return second;
    }, Polling.DefaultTimeout, () => Silo.Output);
}

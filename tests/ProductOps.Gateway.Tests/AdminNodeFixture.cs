namespace ProductOps.Gateway.Tests;

/// <summary>The node the admin tests share: the demo tenant plus <see cref="AdminTenants"/>, on a
/// fresh data directory.</summary>
public sealed class AdminNodeFixture : IAsyncLifetime
{
    private readonly string _dataDir = TempDirectory.Create();
    private SiloProcess? _silo;

    public SiloProcess Silo => _silo ?? throw new InvalidOperationException("the silo is not started");

    /// <summary>The node's data directory (its event log, grain state and model registry files).</summary>
    public string DataDir => _dataDir;

    public Contracts.V1.AdminService.AdminServiceClient Admin => new(Silo.Channel);

    public async Task InitializeAsync() => _silo = await SiloProcess.StartAsync(_dataDir, settings: AdminTenants.NodeSettings);

    public async Task DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        TempDirectory.Delete(_dataDir);
    }
}

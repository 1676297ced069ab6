using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ProductOps.Storage.Postgres;

/// <summary>Runs <see cref="PostgresLogMaintenance"/> at start and every MaintenanceInterval. The
/// silo's clock only paces the runs: each counts its days by the database's.</summary>
internal sealed class PostgresMaintenanceService(PostgresLogMaintenance maintenance, IOptions<PostgresOptions> options, TimeProvider time, ILogger<PostgresMaintenanceService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.MaintenanceInterval;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await maintenance.RunAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                PostgresLog.MaintenanceFailed(logger, e, interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Ingest;

/// <summary>Sums accepted / duplicate / rejected counts per tenant and adds them to the tenant's
/// totals every flush interval: one grain call per tenant per interval, never one per batch.</summary>
public sealed partial class IngestionCounters(IGrainFactory grains, IOptions<GatewayOptions> options, ILogger<IngestionCounters> logger)
    : BackgroundService
{
    private readonly ConcurrentDictionary<string, Counter> _counters = new(StringComparer.Ordinal);

    public void Record(string tenant, int accepted, int duplicates, int rejected)
    {
        var counter = _counters.GetOrAdd(tenant, _ => new Counter());
        Interlocked.Add(ref counter.Accepted, accepted);
        Interlocked.Add(ref counter.Duplicates, duplicates);
        Interlocked.Add(ref counter.Rejected, rejected);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CounterFlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
            // shutting down: one last flush below
        }

        await FlushAsync();
    }

    // Totals only grow; each flush sends what was added since the last successful one, so a
    // count recorded during a flush is never lost.
    private async Task FlushAsync()
    {
        foreach (var (tenant, counter) in _counters)
        {
            var total = new IngestionCounts(Interlocked.Read(ref counter.Accepted), Interlocked.Read(ref counter.Duplicates), Interlocked.Read(ref counter.Rejected));
            var sent = counter.Sent;
            var added = new IngestionCounts(total.Accepted - sent.Accepted, total.Duplicates - sent.Duplicates, total.Rejected - sent.Rejected);
            if (added == IngestionCounts.Zero)
            {
                continue;
            }

            try
            {
                await grains.GetGrain<ITenantGrain>(tenant).RecordIngestion(added);
                counter.Sent = total;
            }
            catch (Exception e)
            {
                // Anything (e.g. a placement that expired while a silo died): the next flush sends
                // it again, and a failure must never stop the host.
                LogFlushFailed(logger, e, tenant);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not add ingestion counters of tenant {Tenant}; will retry")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, string tenant);

    private sealed class Counter
    {
        public long Accepted;
        public long Duplicates;
        public long Rejected;
        public IngestionCounts Sent = IngestionCounts.Zero;
    }
}

using Xunit;
using Microsoft.Extensions.Options;
using ProductOps.Domain;
using ProductOps.Gateway.Ingest;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Testing;

namespace ProductOps.Testing.Cluster;

/// <summary>Drives a test cluster the way the gateway does, and checks it against the oracle,
/// reading the log from whichever store the cluster writes it to.</summary>
public sealed class PipelineDriver(Func<IGrainFactory> grains, IEventLog eventLog, int partitions)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static TenantRules Rules { get; } =
        new(TenantClock.Event, 14, [EventStreamGenerator.ChurnEvent, EventStreamGenerator.OtherChurnEvent]);

    private PartitionRouter Router => new(grains(), Options.Create(new PipelineOptions { Partitions = partitions }));

    /// <summary>
    /// Sends the events in batches, <paramref name="concurrency"/> at a time, retrying a failed
    /// batch with the same events (as a client does) until it is acked. <paramref name="chaos"/>
    /// runs alongside the group starting at batch i, so a crash lands while batches are in flight.
    /// Returns how many sends failed and were retried.
    /// </summary>
    public async Task<int> SendAllAsync(IReadOnlyList<TrackedEvent> events, int batchSize, int concurrency, Func<int, Task>? chaos = null)
    {
        var batches = events.Chunk(batchSize).ToList();
        var retries = 0;
        for (var start = 0; start < batches.Count; start += concurrency)
        {
            var disruption = chaos is null ? Task.CompletedTask : chaos(start);
            await Task.WhenAll(batches.Skip(start).Take(concurrency).Select(async batch =>
            {
                var deadline = DateTime.UtcNow + Patience;
                while (true)
                {
                    try
                    {
                        await Router.AppendAsync(batch);
                        return;
                    }
                    catch (Exception) when (DateTime.UtcNow < deadline)
                    {
                        Interlocked.Increment(ref retries); // unacked: resend the same events
                    }
                }
            }).Append(disruption));
        }

        return retries;
    }

    /// <summary>Waits until every partition has dispatched all it committed.</summary>
    public async Task WaitUntilDispatchedAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, partitions)
                .Select(p => grains().GetGrain<IPartitionGrain>(p).GetStatus()));
            if (statuses.All(s => s.Dispatched == s.Head))
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, "dispatch did not catch up: " + string.Join(", ", statuses.Select(s => $"{s.Partition}:{s.Dispatched}/{s.Head}")));
            await Task.Yield();
            using var pause = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
            await pause.WaitForNextTickAsync();
        }
    }

    /// <summary>The generator tenant's events in the log, partition by partition in seq order: a valid log order.</summary>
    public async Task<List<TrackedEvent>> ReadLogAsync(string tenant = EventStreamGenerator.Tenant)
    {
        var result = new List<TrackedEvent>();
        for (var p = 0; p < partitions; p++)
        {
            var events = await eventLog.ReadAsync(p, 0, int.MaxValue);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq)); // gap-free
            result.AddRange(events.Select(e => e.Event).Where(e => e.Tenant == tenant));
        }

        return result;
    }

    /// <summary>The log holds each sent event exactly once (nothing acked is missing, nothing
    /// twice), and every aggregate equals the oracle's replay of it.</summary>
    public async Task AssertLogCompleteAndAggregatesMatchAsync(IReadOnlyList<TrackedEvent> sent)
    {
        var log = await ReadLogAsync();
        Assert.Equal(ReplayOracle.Deduplicate(sent).Count, log.Count);
        await AssertMatchesOracleAsync(log, log.Where(e => !e.IsIdentify).Max(e => e.TimestampMs));
        await AssertVersionsMatchLogAsync();
    }

    /// <summary>Every feature's and the tenant's version is, by partition, how many of its usage
    /// events are there, however the partitions cut the events into cycles, crashes and re-sends
    /// included: what a watch compares views by.</summary>
    public async Task AssertVersionsMatchLogAsync(string tenant = EventStreamGenerator.Tenant)
    {
        var ofTenant = new Dictionary<int, long>();
        var ofFeature = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
        for (var p = 0; p < partitions; p++)
        {
            foreach (var logged in await eventLog.ReadAsync(p, 0, int.MaxValue))
            {
                if (logged.Event.Tenant != tenant || logged.Event.IsIdentify)
                {
                    continue;
                }

                ofTenant[p] = ofTenant.GetValueOrDefault(p) + 1;
                if (logged.Event.HasFeature)
                {
                    var counts = ofFeature.TryGetValue(logged.Event.Feature, out var known) ? known : ofFeature[logged.Event.Feature] = [];
                    counts[p] = counts.GetValueOrDefault(p) + 1;
                }
            }
        }

        var range = TimeRange.DaysEndingAt(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1);
        Assert.Equal(ReceiverVersion.Of(ofTenant), (await grains().GetGrain<ITenantGrain>(tenant).GetOverview(range)).Version);
        foreach (var (feature, counts) in ofFeature)
        {
            var report = await grains().GetGrain<IFeatureGrain>(GrainKeys.For(tenant, feature)).GetReport(range, range.ToMs);
            Assert.Equal(ReceiverVersion.Of(counts), report.Version);
        }
    }

    /// <summary>Every tenant, feature and user aggregate equals the oracle's replay of the log.</summary>
    public async Task AssertMatchesOracleAsync(IReadOnlyList<TrackedEvent> log, long asOfMs)
    {
        var oracle = ReplayOracle.Replay(log, Rules);
        var tenant = grains().GetGrain<ITenantGrain>(EventStreamGenerator.Tenant);
        OracleAssert.CountersEqual(oracle.Tenant, await tenant.GetCounters(), "tenant");
        Assert.Equal(oracle.Features.Keys.Order(StringComparer.Ordinal), await tenant.GetFeatures());
        foreach (var (feature, expected) in oracle.Features)
        {
            var actual = await grains().GetGrain<IFeatureGrain>(GrainKeys.For(EventStreamGenerator.Tenant, feature)).GetCounters();
            OracleAssert.CountersEqual(expected, actual, $"feature {feature}");
        }

        foreach (var userId in oracle.UserIds)
        {
            var actual = await grains().GetGrain<IUserGrain>(GrainKeys.For(EventStreamGenerator.Tenant, userId)).Get(asOfMs);
            OracleAssert.SnapshotsEqual(oracle.User(userId, asOfMs), actual);
        }
    }
}

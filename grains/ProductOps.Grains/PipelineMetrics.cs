using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// What this silo's partitions report to metrics (the <see cref="MeterName"/> meter): events
/// committed and dispatched, how long a group commit and a dispatch cycle take, failed commits,
/// and each active partition's backlog (how many events the aggregates lack, and since when).
/// Recorded once per commit and per cycle, never per event; no tenant or user appears in them.
/// </summary>
public sealed class PipelineMetrics
{
    public const string MeterName = "ProductOps.Pipeline";

    private readonly ConcurrentDictionary<int, Progress> _partitions = new();
    private readonly TimeProvider _time;
    private readonly Counter<long> _committed;
    private readonly Histogram<double> _commitSeconds;
    private readonly Counter<long> _commitFailures;
    private readonly Counter<long> _dispatched;
    private readonly Histogram<double> _cycleSeconds;

    public PipelineMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = MetricBuckets.Seconds };
        _committed = meter.CreateCounter<long>("productops.log.committed", "{event}", "New events committed to the event log (durable and acknowledged)");
        _commitSeconds = meter.CreateHistogram("productops.log.commit.duration", "s", "Time to commit one group of appends to a partition's log", tags: null, advice: seconds);
        _commitFailures = meter.CreateCounter<long>("productops.log.commit.failures", "{commit}", "Group commits to a partition's log that failed (nothing in them acknowledged)");
        _commitFailures.Add(0); // served from the start at 0, so that the first failure is a rise, not a new series
        _dispatched = meter.CreateCounter<long>("productops.dispatch.events", "{event}", "Events applied to the aggregates (re-dispatched ones again), per partition");
        _cycleSeconds = meter.CreateHistogram("productops.dispatch.cycle.duration", "s", "Time to apply one dispatch cycle to users, features and tenants", tags: null, advice: seconds);
        meter.CreateObservableGauge("productops.dispatch.pending", ObservePending, "{event}", "Events committed but not yet in the aggregates, per partition active on this silo");
        meter.CreateObservableGauge("productops.dispatch.lag", ObserveLag, "s", "Age of the oldest event committed but not yet in the aggregates, per partition active on this silo (0 when none)");
    }

    internal void Committed(int events, TimeSpan took)
    {
        _committed.Add(events);
        _commitSeconds.Record(took.TotalSeconds);
    }

    /// <summary>A group commit failed: the store refused it or its outcome is unknown; the
    /// callers were told to retry. Its time is not a commit's, so no duration.</summary>
    internal void CommitFailed() => _commitFailures.Add(1);

    /// <summary>A cycle applied. Counted per partition, so that a partition that stalls shows
    /// while the others dispatch.</summary>
    internal void Dispatched(int partition, int events, TimeSpan took)
    {
        _dispatched.Add(events, PartitionTag(partition));
        _cycleSeconds.Record(took.TotalSeconds);
    }

    /// <summary>A partition's activation here: its progress is reported until it
    /// <see cref="Untrack"/>s, and what it writes after that goes nowhere (two activations of a
    /// partition can briefly overlap on one silo, and the older one's last writes must not
    /// bring back a partition that has left).</summary>
    internal Progress Track(int partition) => _partitions[partition] = new Progress();

    internal void Untrack(int partition, Progress progress) => _partitions.TryRemove(KeyValuePair.Create(partition, progress));

    private IEnumerable<Measurement<long>> ObservePending() =>
        _partitions.Select(p => new Measurement<long>(Volatile.Read(ref p.Value.Pending), PartitionTag(p.Key)));

    private IEnumerable<Measurement<double>> ObserveLag()
    {
        var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        return _partitions.Select(p =>
        {
            var oldest = Volatile.Read(ref p.Value.OldestPendingMs);
            return new Measurement<double>(oldest > 0 ? Math.Max(0, nowMs - oldest) / 1000.0 : 0, PartitionTag(p.Key));
        });
    }

    private static KeyValuePair<string, object?> PartitionTag(int partition) => new("partition", partition);

    /// <summary>Where a partition's activation stands: written on its turn, read by the gauges
    /// from another thread.</summary>
    internal sealed class Progress
    {
        public long Pending;
        public long OldestPendingMs;

        public void Set(long pending, long oldestPendingCommittedAtMs)
        {
            Volatile.Write(ref OldestPendingMs, oldestPendingCommittedAtMs);
            Volatile.Write(ref Pending, pending);
        }
    }
}

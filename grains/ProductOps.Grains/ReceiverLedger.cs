using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The per-partition watermarks of an aggregate grain and the rule that makes receiving
/// idempotent: a delta covers the partition's events in (FromSeq, UpToSeq]. Beside them, how many
/// events from each partition changed the grain: its version.
/// </summary>
[GenerateSerializer, Alias("productops.receiver-ledger")]
public sealed class ReceiverLedger
{
    // Rebuilt after a delta is applied, not on every read: the tenant grain is read by every query.
    [NonSerialized] private ReceiverVersion? _version;

    [Id(0)] public Dictionary<int, long> Watermarks { get; init; } = [];

    /// <summary>By partition, how many of its events changed this grain (see
    /// <see cref="AggregateDelta.Events"/>); counted from the first delta of a build that sends them.</summary>
    [Id(2)] public Dictionary<int, long> Events { get; init; } = []; // Id(1) was a build's last event seqs, never released: left unused

    public long WatermarkOf(int partition) => Watermarks.GetValueOrDefault(partition);

    /// <summary>The grain's version now, for an answer to carry: which events its figures hold,
    /// however its partitions cut them into deltas.</summary>
    public ReceiverVersion Version() => _version ??= ReceiverVersion.Of(Events);

    /// <summary>Whether to apply <paramref name="delta"/>; when Applied, the watermark has moved.</summary>
    public ReceiveOutcome Decide(AggregateDelta delta)
    {
        var watermark = WatermarkOf(delta.Partition);
        if (delta.UpToSeq <= watermark)
        {
            return new ReceiveOutcome(ReceiveStatus.AlreadyApplied, watermark);
        }

        if (watermark < delta.Required)
        {
            return new ReceiveOutcome(ReceiveStatus.Gap, watermark); // lost what it was sent
        }

        if (watermark > delta.FromSeq)
        {
            return new ReceiveOutcome(ReceiveStatus.Partial, watermark); // holds part of the range
        }

        Watermarks[delta.Partition] = delta.UpToSeq;
        if (delta.Events > 0)
        {
            Events[delta.Partition] = Events.GetValueOrDefault(delta.Partition) + delta.Events;
            _version = null;
        }

        return new ReceiveOutcome(ReceiveStatus.Applied, delta.UpToSeq);
    }
}

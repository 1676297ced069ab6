using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The per-partition watermarks of an aggregate grain and the rule that makes receiving
/// idempotent: a delta covers the partition's events in (FromSeq, UpToSeq].
/// </summary>
[GenerateSerializer, Alias("productops.receiver-ledger")]
public sealed class ReceiverLedger
{
    [Id(0)] public Dictionary<int, long> Watermarks { get; init; } = [];

    public long WatermarkOf(int partition) => Watermarks.GetValueOrDefault(partition);

    /// <summary>The watermarks now, for an answer to carry (see <see cref="ReceiverVersion"/>).</summary>
    public ReceiverVersion Version() => ReceiverVersion.Of(Watermarks);

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
        return new ReceiveOutcome(ReceiveStatus.Applied, delta.UpToSeq);
    }
}

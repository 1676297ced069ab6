using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// Counter changes from partition <see cref="Partition"/> for its events in (FromSeq, UpToSeq],
/// rolled up per counter. <see cref="Required"/> is the last UpToSeq the partition sent this
/// receiver since its last checkpoint (-1 for none): a receiver below it has lost state.
/// <see cref="Events"/> is how many of the range's events changed this receiver (0 from a
/// partition of an earlier build): summed per partition, unlike <see cref="UpToSeq"/> (where the
/// cycle ended), it does not depend on how the partition cut its events into cycles, so a receiver
/// sent the same events again after a crash reaches the same count (its version, which a watch
/// compares); and it tells nothing of other tenants' events in the partition.
/// </summary>
[GenerateSerializer, Immutable, Alias("productops.aggregate-delta")]
public sealed record AggregateDelta(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Required,
    [property: Id(2)] long FromSeq,
    [property: Id(3)] long UpToSeq,
    [property: Id(4)] IReadOnlyList<CounterDelta> Counters,
    [property: Id(5)] DispatchInfo Info,
    [property: Id(7)] int Events = 0); // Id(6) was a build's last event seq, never released: left unused

using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.tenant-state")]
public sealed class TenantState : IReceiverRecord
{
    [Id(0)] public ReceiverLedger Ledger { get; init; } = new();

    /// <summary>See <see cref="IReceiverRecord"/>.</summary>
    [Id(1)] public CounterSet? Counters { get; set; }

    [Id(2)] public HashSet<string> Features { get; init; } = new(StringComparer.Ordinal);

    /// <summary>The latest event time applied: "now" on the event clock.</summary>
    [Id(3)] public long LatestEventMs { get; set; } = long.MinValue;

    [Id(4)] public IngestionCounts Ingestion { get; set; } = IngestionCounts.Zero;

    /// <summary>See <see cref="IReceiverRecord"/>.</summary>
    [Id(5)] public CounterValues Changes { get; set; } = CounterValues.Empty;
}

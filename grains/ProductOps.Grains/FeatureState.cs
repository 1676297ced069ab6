using ProductOps.Domain;

namespace ProductOps.Grains;

/// <summary>A feature's stored record; its counters are kept by <see cref="ReceiverCounters{TRecord}"/>.</summary>
[GenerateSerializer, Alias("productops.feature-state")]
public sealed class FeatureState : IReceiverRecord
{
    [Id(0)] public ReceiverLedger Ledger { get; init; } = new();

    [Id(1)] public CounterSet? Counters { get; set; }

    [Id(2)] public CounterValues Changes { get; set; } = CounterValues.Empty;
}

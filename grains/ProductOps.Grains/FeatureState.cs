using ProductOps.Domain;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.feature-state")]
public sealed class FeatureState
{
    [Id(0)] public ReceiverLedger Ledger { get; init; } = new();

    [Id(1)] public CounterSet Counters { get; init; } = new();
}

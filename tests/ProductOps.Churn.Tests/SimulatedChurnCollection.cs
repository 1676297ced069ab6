namespace ProductOps.Churn.Tests;

/// <summary>Test classes that share one trained simulation (training takes seconds).</summary>
[CollectionDefinition(Name)]
public sealed class SimulatedChurnCollection : ICollectionFixture<SimulatedChurnFixture>
{
    public const string Name = "simulated churn";
}

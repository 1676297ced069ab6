namespace ProductOps.Gateway.Tests;

/// <summary>Tests that share one node process (<see cref="SiloFixture"/>); they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SharedSiloCollection : ICollectionFixture<SiloFixture>
{
    public const string Name = "shared silo";
}

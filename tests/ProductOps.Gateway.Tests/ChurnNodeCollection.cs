namespace ProductOps.Gateway.Tests;

/// <summary>Tests that share the node of <see cref="ChurnNodeFixture"/>; they only read it.</summary>
[CollectionDefinition(Name)]
public sealed class ChurnNodeCollection : ICollectionFixture<ChurnNodeFixture>
{
    public const string Name = "churn node";
}

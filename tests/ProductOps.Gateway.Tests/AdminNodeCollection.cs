namespace ProductOps.Gateway.Tests;

/// <summary>Tests that share the admin node (<see cref="AdminNodeFixture"/>); they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class AdminNodeCollection : ICollectionFixture<AdminNodeFixture>
{
    public const string Name = "admin node";
}

using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class PartitionMapTests
{
    [Fact]
    public void StableHash_KnownVector_MatchesFnv1a64()
    {
        // Published FNV-1a 64-bit test vectors.
        Assert.Equal(unchecked((long)0xcbf29ce484222325UL), StableHash.Of(string.Empty));
        Assert.Equal(unchecked((long)0xaf63dc4c8601ec8cUL), StableHash.Of("a"));
    }

    [Fact]
    public void PartitionOf_KnownUser_NeverMoves()
    {
        // Values computed independently (FNV-1a over UTF-8, 0x1F separator); a change here moves stored users.
        Assert.Equal(1, PartitionMap.PartitionOf("acme", "user-1", 16));
        Assert.Equal(387_739, PartitionMap.PartitionOf("acme", "user-1", 1_000_003));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    public void PartitionOf_ManyUsers_StaysInRangeAndUsesEveryPartition(int partitionCount)
    {
        var partitions = Enumerable.Range(0, 2_000)
            .Select(i => PartitionMap.PartitionOf("acme", $"user-{i}", partitionCount))
            .ToList();

        Assert.All(partitions, p => Assert.InRange(p, 0, partitionCount - 1));
        Assert.Equal(partitionCount, partitions.Distinct().Count());
    }

    [Fact]
    public void PartitionOf_SameConcatenationSplitDifferently_Differs()
    {
        Assert.Equal(169_226, PartitionMap.PartitionOf("ab", "c", 1_000_003));
        Assert.Equal(426_542, PartitionMap.PartitionOf("a", "bc", 1_000_003));
    }

    [Fact]
    public void PartitionOf_NoPartitions_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PartitionMap.PartitionOf("acme", "user-1", 0));
}

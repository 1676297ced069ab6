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

    /// <summary>The hash is of the UTF-8 bytes, whether a string takes the ASCII path or not:
    /// both against FNV-1a over the encoded bytes, with accents, CJK, a surrogate pair, a lone
    /// surrogate (encoded as U+FFFD), non-ASCII late in a long string, and past 256 bytes.</summary>
    [Theory]
    [InlineData("user-42")]
    [InlineData("")]
    [InlineData("\\u007f")]
    [InlineData("\\u0080")]
    [InlineData("café")]
    [InlineData("用户")]
    [InlineData("🚀 launch")]
    [InlineData("lone \\ud800 surrogate")]
    public void StableHash_AnyText_FnvOfItsUtf8Bytes(string escaped)
    {
        var text = System.Text.RegularExpressions.Regex.Unescape(escaped);
        foreach (var candidate in new[] { text, new string('x', 300) + text, text + new string('é', 200) })
        {
            var expected = 14695981039346656037UL;
            foreach (var b in System.Text.Encoding.UTF8.GetBytes(candidate))
            {
                expected = (expected ^ b) * 1099511628211UL;
            }

            Assert.Equal(unchecked((long)expected), StableHash.Of(candidate));
        }
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

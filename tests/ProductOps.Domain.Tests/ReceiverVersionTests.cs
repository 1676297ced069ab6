using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class ReceiverVersionTests
{
    [Fact]
    public void Covers_EveryPartitionAtOrPast_True()
    {
        var earlier = Version((0, 5), (3, 9));

        Assert.True(Version((0, 5), (3, 9)).Covers(earlier));
        Assert.True(Version((3, 12), (0, 5), (7, 1)).Covers(earlier)); // a partition more, another further
        Assert.True(earlier.Covers(Version()));
    }

    [Fact]
    public void Covers_OnePartitionBehindOrMissing_False()
    {
        var earlier = Version((0, 5), (3, 9));

        Assert.False(Version((0, 50), (3, 8)).Covers(earlier)); // ahead in one does not make up for the other
        Assert.False(Version((0, 50)).Covers(earlier)); // nothing from partition 3 yet (a grain back from a crash)
        Assert.False(Version().Covers(earlier));
    }

    [Fact]
    public void Equals_SameSeqsInAnyInsertionOrder_Equal()
    {
        Assert.Equal(Version((0, 5), (3, 9)), Version((3, 9), (0, 5)));
        Assert.Equal(Version((0, 5), (3, 9)).GetHashCode(), Version((3, 9), (0, 5)).GetHashCode());
        Assert.NotEqual(Version((0, 5), (3, 9)), Version((0, 5), (4, 9)));
        Assert.NotEqual(Version((0, 5)), Version((0, 6)));
    }

    [Fact]
    public void Serializer_RoundTrip_SameSeqs()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var version = Version((31, long.MaxValue), (0, 5), (4095, 1));

        var read = serializer.Deserialize<ReceiverVersion>(serializer.SerializeToArray(version))!;

        Assert.Equal(version, read);
        Assert.Equal(long.MaxValue, read.SeqOf(31));
        Assert.Equal(0, read.SeqOf(30));
        Assert.Equal("0:5 31:9223372036854775807 4095:1", read.ToString());
    }

    /// <summary>A version read with its fields left out (as the serializer makes one whose sender
    /// sent none) is not known, and answers as one of no partitions rather than failing the watch
    /// comparing it (which treats it as unknown).</summary>
    [Fact]
    public void FieldsMissing_NotKnownAndReadAsNoPartitions()
    {
        var empty = (ReceiverVersion)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(ReceiverVersion));

        Assert.False(empty.IsKnown);
        Assert.True(Version().IsKnown);
        Assert.True(empty.Covers(Version()));
        Assert.False(empty.Covers(Version((0, 5))));
        Assert.True(Version((0, 5)).Covers(empty));
        Assert.Equal(Version(), empty);
        Assert.Equal(0, empty.SeqOf(0));
        Assert.Equal("", empty.ToString());
    }

    private static ReceiverVersion Version(params (int Partition, long Seq)[] seqs) =>
        ReceiverVersion.Of(seqs.ToDictionary(w => w.Partition, w => w.Seq));
}

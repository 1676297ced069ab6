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
    public void Equals_SameCountsInAnyInsertionOrder_Equal()
    {
        Assert.Equal(Version((0, 5), (3, 9)), Version((3, 9), (0, 5)));
        Assert.Equal(Version((0, 5), (3, 9)).GetHashCode(), Version((3, 9), (0, 5)).GetHashCode());
        Assert.NotEqual(Version((0, 5), (3, 9)), Version((0, 5), (4, 9)));
        Assert.NotEqual(Version((0, 5)), Version((0, 6)));
    }

    [Fact]
    public void Serializer_RoundTrip_SameCounts()
    {
        using var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var serializer = services.GetRequiredService<Serializer>();
        var version = Version((31, long.MaxValue), (0, 5), (4095, 1));

        var read = serializer.Deserialize<ReceiverVersion>(serializer.SerializeToArray(version))!;

        Assert.Equal(version, read);
        Assert.Equal(long.MaxValue, read.CountOf(31));
        Assert.Equal(0, read.CountOf(30));
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
        Assert.Equal(0, empty.CountOf(0));
        Assert.Equal("", empty.ToString());
    }

    [Fact]
    public void ReadFrom_WhatWriteToWrote_TheSameVersion()
    {
        var version = Version((0, 5), (3, long.MaxValue), (31, 0));

        var read = ReceiverVersion.ReadFrom(Reader(Written(version)), partitions: 32);

        Assert.Equal(version, read);
        Assert.Equal(Version(), ReceiverVersion.ReadFrom(Reader(Written(Version())), partitions: 32));
    }

    /// <summary>What a forged token could hold is refused, not read: partitions past the cluster's,
    /// more than it has, out of order or twice, negative counts.</summary>
    [Fact]
    public void ReadFrom_NotAVersionOfThisCluster_Null()
    {
        Assert.Null(ReceiverVersion.ReadFrom(Reader(Written(Version((32, 1)))), partitions: 32)); // past the last partition
        Assert.Null(ReceiverVersion.ReadFrom(Reader(Written(Version((0, 1), (1, 1), (2, 1)))), partitions: 2)); // more than there are
        Assert.Null(ReceiverVersion.ReadFrom(Reader(Varints(2, 5, 1, 0, 1)), partitions: 32)); // partition 5 twice
        Assert.Null(ReceiverVersion.ReadFrom(Reader(Varints(1, 0, -1)), partitions: 32)); // a negative count
        Assert.Null(ReceiverVersion.ReadFrom(Reader(Varints(2, 5, 1, int.MaxValue, 1)), partitions: 32)); // a step past int
        Assert.Throws<EndOfStreamException>(() => ReceiverVersion.ReadFrom(Reader(Varints(3, 0, 1)), partitions: 32)); // cut short
    }

    private static byte[] Written(ReceiverVersion version)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            version.WriteTo(writer);
        }

        return bytes.ToArray();
    }

    private static byte[] Varints(params long[] values)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            foreach (var value in values)
            {
                writer.Write7BitEncodedInt64(value);
            }
        }

        return bytes.ToArray();
    }

    private static BinaryReader Reader(byte[] bytes) => new(new MemoryStream(bytes));

    private static ReceiverVersion Version(params (int Partition, long Count)[] counts) =>
        ReceiverVersion.Of(counts.ToDictionary(w => w.Partition, w => w.Count));
}

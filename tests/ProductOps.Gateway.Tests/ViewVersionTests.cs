using ProductOps.Domain;
using ProductOps.Gateway.Query;

namespace ProductOps.Gateway.Tests;

public sealed class ViewVersionTests
{
    private static readonly ReceiverVersion Unknown =
        (ReceiverVersion)System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(typeof(ReceiverVersion));

    [Fact]
    public void IsBehind_AGrainBehindOrFewerEvents_True()
    {
        var sent = new ViewVersion(10, [Version((0, 5)), Version((1, 4))]);

        Assert.True(new ViewVersion(9, [Version((0, 5)), Version((1, 4))]).IsBehind(sent));
        Assert.True(new ViewVersion(12, [Version((0, 9)), Version((1, 3))]).IsBehind(sent)); // the second grain
        Assert.False(new ViewVersion(12, [Version((0, 9)), Version((1, 4))]).IsBehind(sent));
    }

    [Fact]
    public void IsBehind_UnknownOnEitherSide_ComparedByEventsAlone()
    {
        var sent = new ViewVersion(10, [Version((0, 5)), null]);

        Assert.False(new ViewVersion(10, [null, Version()]).IsBehind(sent));
        Assert.False(new ViewVersion(10, [Unknown, Version()]).IsBehind(sent));
        Assert.True(new ViewVersion(9, [Unknown, null]).IsBehind(sent));
    }

    [Fact]
    public void OrEarlierWhereUnknown_KeepsTheLastKnownVersionOfEachGrain()
    {
        var earlier = new ViewVersion(10, [Version((0, 5)), Version((1, 4))]);

        var next = new ViewVersion(12, [Unknown, Version((1, 6))]).OrEarlierWhereUnknown(earlier);

        Assert.Equal([Version((0, 5)), Version((1, 6))], next.Grains);
        Assert.Equal(12, next.EventsAllTime);
        Assert.Same(earlier, earlier.OrEarlierWhereUnknown(null));
    }

    private static ReceiverVersion Version(params (int Partition, long Seq)[] seqs) =>
        ReceiverVersion.Of(seqs.ToDictionary(s => s.Partition, s => s.Seq));
}

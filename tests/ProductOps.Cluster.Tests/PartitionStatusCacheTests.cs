using Microsoft.Extensions.Options;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>The gateway's shared ask of every partition's status, against a real cluster's
/// partitions: overviews asked at once share asks, and a shared ask never began before its caller
/// arrived (what an overview's "caught up" rests on).</summary>
[Collection(ClusterCollection.Name)]
public sealed class PartitionStatusCacheTests(ClusterFixture fixture)
{
    [Fact]
    public async Task GetSince_ManyCallersWhileAnAskIsOnItsWay_ShareTheNextAsk()
    {
        var statuses = new PartitionStatusCache(fixture.Cluster.Client, Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }), TimeProvider.System);
        var first = statuses.GetSinceAsync(TimeProvider.System.GetTimestamp());

        // Each caller arrives after the first ask began, so none may share it; together they
        // need one more ask, not one each (at most two, should the first answer before the loop ends).
        var callers = Enumerable.Range(0, 100).Select(_ => statuses.GetSinceAsync(TimeProvider.System.GetTimestamp())).ToArray();

        Assert.DoesNotContain(first, callers);
        Assert.InRange(callers.Distinct().Count(), 1, 2);
        foreach (var answer in await Task.WhenAll(callers.Append(first)))
        {
            Assert.Equal(TestClusterFactory.Partitions, answer.Length);
        }
    }

    [Fact]
    public async Task GetSince_AfterTheNextAskBegan_NotSharedWithALaterCaller()
    {
        var statuses = new PartitionStatusCache(fixture.Cluster.Client, Options.Create(new PipelineOptions { Partitions = TestClusterFactory.Partitions }), TimeProvider.System);
        var first = statuses.GetSinceAsync(TimeProvider.System.GetTimestamp());
        var next = statuses.GetSinceAsync(TimeProvider.System.GetTimestamp());
        await next; // began once the first had answered

        var later = statuses.GetSinceAsync(TimeProvider.System.GetTimestamp());

        Assert.NotSame(next, later);
        Assert.NotSame(first, later);
        Assert.Equal(TestClusterFactory.Partitions, (await later).Length);
    }
}

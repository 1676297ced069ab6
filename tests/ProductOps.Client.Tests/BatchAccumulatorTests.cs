using ProductOps.Contracts.V1;

namespace ProductOps.Client.Tests;

public sealed class BatchAccumulatorTests
{
    [Fact]
    public void Add_MoreEventsThanBatchSize_SplitsIntoFullBatchesAndARemainder()
    {
        var accumulator = new BatchAccumulator(500, new BatchIdGenerator());
        var batches = new List<TrackRequest>();
        var events = Enumerable.Range(0, 1_234).Select(i => new Event { EventId = $"e{i}", UserId = "u" }).ToList();

        foreach (var e in events)
        {
            if (accumulator.Add(e) is { } full)
            {
                batches.Add(full);
            }
        }

        Assert.Equal(234, accumulator.Count);
        batches.Add(accumulator.TakePartial()!);

        Assert.Equal([500, 500, 234], batches.Select(b => b.Events.Count));
        Assert.Equal(events.Select(e => e.EventId), batches.SelectMany(b => b.Events).Select(e => e.EventId));
        Assert.Equal(0, accumulator.Count);
        Assert.Null(accumulator.TakePartial());
    }

    [Fact]
    public void Add_EachBatch_GetsItsOwnBatchId()
    {
        var accumulator = new BatchAccumulator(3, new BatchIdGenerator());
        var ids = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            if (accumulator.Add(new Event { EventId = $"e{i}" }) is { } full)
            {
                ids.Add(full.BatchId);
            }
        }

        Assert.Equal(100, ids.Count);
        Assert.All(ids, id => Assert.False(string.IsNullOrEmpty(id)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Add_BatchSizeOne_ReturnsEveryEventAsItsOwnBatch()
    {
        var accumulator = new BatchAccumulator(1, new BatchIdGenerator());

        var batch = accumulator.Add(new Event { EventId = "only" });

        Assert.NotNull(batch);
        Assert.Equal("only", Assert.Single(batch.Events).EventId);
        Assert.Equal(0, accumulator.Count);
    }
}

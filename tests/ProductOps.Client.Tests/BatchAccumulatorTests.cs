using ProductOps.Contracts.V1;

namespace ProductOps.Client.Tests;

public sealed class BatchAccumulatorTests
{
    private const int OneMiB = 1_048_576;

    [Fact]
    public void Add_MoreEventsThanBatchSize_SplitsIntoFullBatchesAndARemainder()
    {
        var accumulator = new BatchAccumulator(500, OneMiB, new BatchIdGenerator());
        var batches = new List<TrackRequest>();
        var events = Enumerable.Range(0, 1_234).Select(i => new Event { EventId = $"e{i}", UserId = "u" }).ToList();

        foreach (var e in events)
        {
            if (accumulator.Add(e, BatchAccumulator.EncodedSize(e)) is { } full)
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
        var accumulator = new BatchAccumulator(3, OneMiB, new BatchIdGenerator());
        var ids = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var e = new Event { EventId = $"e{i}" };
            if (accumulator.Add(e, BatchAccumulator.EncodedSize(e)) is { } full)
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
        var accumulator = new BatchAccumulator(1, OneMiB, new BatchIdGenerator());

        var only = new Event { EventId = "only" };
        var batch = accumulator.Add(only, BatchAccumulator.EncodedSize(only));

        Assert.NotNull(batch);
        Assert.Equal("only", Assert.Single(batch.Events).EventId);
        Assert.Equal(0, accumulator.Count);
    }

    [Fact]
    public void Add_EventsOverTheByteLimitTogether_CutsBatchesWhoseEncodingFits()
    {
        const int limit = 100_000;
        var accumulator = new BatchAccumulator(500, limit, new BatchIdGenerator());
        var batches = new List<TrackRequest>();
        var padding = new string('p', 3_000);
        var events = Enumerable.Range(0, 200)
            .Select(i => new Event { EventId = $"e{i}", UserId = "u", Properties = { ["p"] = padding } })
            .ToList();

        foreach (var e in events)
        {
            var bytes = BatchAccumulator.EncodedSize(e);
            if (accumulator.TakeIfNoRoomFor(bytes) is { } before)
            {
                batches.Add(before);
            }

            if (accumulator.Add(e, bytes) is { } full)
            {
                batches.Add(full);
            }
        }

        batches.Add(accumulator.TakePartial()!);

        Assert.Equal(events.Select(e => e.EventId), batches.SelectMany(b => b.Events).Select(e => e.EventId));
        foreach (var batch in batches)
        {
            // Sent with sent_at, which the sender sets: the encoding must fit with it.
            batch.SentAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow);
            Assert.InRange(batch.CalculateSize(), 1, limit);
        }

        Assert.True(batches.Count >= 7, $"{batches.Count} batches");
    }
}

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>Query time ranges at the edges of what a google.protobuf.Timestamp holds.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class QueryRangeTests(SiloFixture node)
{
    [Fact]
    public async Task GetOverview_DefaultRangeReachingOutOfTheTimestampYears_AnswersTheDaysWithin()
    {
        // Every event acked so far (other tests' too) in the totals first: the two reads below
        // compare them, and a dispatch landing between them would move them.
        await Polling.Until(
            async () => (await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read)).Freshness.CaughtUp,
            Polling.DefaultTimeout, () => node.Silo.Output);

        // Only one end given: the other is 30 days away, before 0001-01-01 or after 9999-12-31.
        var early = await node.Query.GetOverviewAsync(new GetOverviewRequest { To = Day(1, 1, 5) }, DemoTenant.Read);
        var late = await node.Query.GetOverviewAsync(new GetOverviewRequest { From = Day(9999, 12, 20) }, DemoTenant.Read);

        Assert.Equal(Day(1, 1, 1), early.Days[0].Day);
        Assert.Equal(Day(1, 1, 4), early.Days[^1].Day);
        Assert.Empty(late.Days); // days after the tenant clock's have not happened
        Assert.Equal(early.TotalEvents, late.TotalEvents);
    }

    /// <summary>A range that runs past today (as `--from` alone asks: the 30 days from it) ends at
    /// the tenant clock's day: the WAU and MAU carried into later days would read as activity.</summary>
    [Fact]
    public async Task GetOverview_RangePastToday_EndsAtTheClocksDay()
    {
        var before = DateTimeOffset.UtcNow;
        var view = await node.Query.GetOverviewAsync(new GetOverviewRequest { From = Timestamp.FromDateTimeOffset(before.UtcDateTime.Date.AddDays(-10)) }, DemoTenant.Read);
        var after = DateTimeOffset.UtcNow;

        Assert.InRange(view.Days[^1].Day.ToDateTimeOffset(), before.UtcDateTime.Date, after.UtcDateTime.Date.AddDays(1)); // a later event's day at most
        Assert.InRange(view.Days.Count, 11, 12);
    }

    /// <summary>GetFeature over a range that runs past today answers the same days as GetOverview
    /// over that range: a dashboard drawing the two side by side gets series of one length, and no
    /// feature series falling to zero on days that have not happened.</summary>
    [Fact]
    public async Task GetFeature_RangePastToday_EndsAtTheDayTheOverviewEndsAt()
    {
        var prefix = EventFactory.Prefix("range-future");
        var feature = $"{prefix}-search";
        var now = DateTimeOffset.UtcNow;
        var request = new TrackRequest { BatchId = prefix, Events = { EventFactory.Event($"{prefix}-u", $"{prefix}-e", "feature_used", now.AddDays(-3), feature) } };
        Assert.Equal(1, (await node.Ingest.TrackAsync(request, DemoTenant.Ingest)).Accepted);
        var from = Timestamp.FromDateTimeOffset(now.UtcDateTime.Date.AddDays(-10)); // the 30 days from it

        // Read again if the day turned between the two calls.
        await Polling.Eventually(async () =>
        {
            var overview = await node.Query.GetOverviewAsync(new GetOverviewRequest { From = from }, DemoTenant.Read);
            var view = await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature, From = from }, DemoTenant.Read);

            Assert.Equal(overview.Days.Select(d => d.Day), view.Daily.Select(p => p.BucketStart));
            Assert.Equal(view.Daily.Count * 24, view.Hourly.Count);
            Assert.Equal(1, view.Daily.Sum(p => p.Events));
        }, Polling.DefaultTimeout, () => node.Silo.Output);
    }

    /// <summary>A range that ends at the earliest time a timestamp holds is empty; the caller gave
    /// no `from`, so an error saying `to` must come after it would send them looking for one.</summary>
    [Fact]
    public async Task GetOverview_OnlyToAtTheEarliestTime_InvalidArgumentSayingWhy()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Query.GetOverviewAsync(new GetOverviewRequest { To = Day(1, 1, 1) }, DemoTenant.Read));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("to", error.Trailers.GetValue("field"));
        Assert.Equal("to: must be after 0001-01-01T00:00:00Z, the earliest time a range can start", error.Status.Detail);
    }

    private static Timestamp Day(int year, int month, int day) =>
        Timestamp.FromDateTimeOffset(new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero));
}

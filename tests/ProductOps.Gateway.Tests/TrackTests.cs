using Grpc.Core;
using ProductOps.Contracts.V1;
using TimeBuckets = ProductOps.Domain.TimeBuckets;
using static ProductOps.Gateway.Tests.EventFactory;
using static ProductOps.Testing.Polling;

namespace ProductOps.Gateway.Tests;

/// <summary>Track and Identify, then every query view compared with the replay oracle.</summary>
[Collection(SharedSiloCollection.Name)]
public sealed class TrackTests(SiloFixture node)
{
    [Fact]
    public async Task Track_MixedBatch_QueriesMatchReplayOracle()
    {
        var before = await node.SettledOverviewAsync();
        var prefix = Prefix("track");
        var features = new[] { $"{prefix}-search", $"{prefix}-export", $"{prefix}-share" };
        var now = DateTimeOffset.UtcNow;
        var request = new TrackRequest { BatchId = $"{prefix}-batch" };
        request.Events.AddRange(Usage(prefix, users: 6, features, count: 300, seed: 11, now));
        var churner = $"{prefix}-u5";
        request.Events.Add(Event(churner, $"{prefix}-cancel", "subscription_cancelled", now - TimeSpan.FromSeconds(30)));
        request.Events.Add(request.Events[3].Clone()); // the same (user_id, event_id) again: counted once

        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);

        Assert.Equal(request.BatchId, response.BatchId);
        Assert.Empty(response.Rejected);
        Assert.Equal(1, response.Duplicates);
        Assert.Equal(request.Events.Count - 1, response.Accepted);

        var accepted = new AcceptedEvents();
        accepted.Add(request, response);
        var traitsOnly = $"{prefix}-prospect";
        var identifies = Identifies(prefix, traitsOnly, now).ToList();
        foreach (var identify in identifies)
        {
            var answer = await node.Ingest.IdentifyAsync(identify, DemoTenant.Ingest);
            Assert.True(answer.Accepted, $"identify {identify.EventId} was not accepted");
            Assert.False(answer.Duplicate);
            accepted.Add(identify);
        }

        var oracle = accepted.Replay();
        var users = oracle.UserIds.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(7, users.Count); // six users with events (one churned), one prospect known by traits only

        foreach (var user in users)
        {
            await Eventually(async () =>
            {
                var actual = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
                Assert.Equal(ExpectedViews.User(oracle, user, AcceptedEvents.Ms(actual.AsOf)), actual);
            }, DefaultTimeout, () => node.Silo.Output);
        }

        // The oracle's view of the traits, spelled out: the latest timestamp wins, not the latest call;
        // an empty value deletes the trait; the churn event decides the lifecycle.
        var first = await node.Query.GetUserAsync(new GetUserRequest { UserId = $"{prefix}-u0" }, DemoTenant.Read);
        Assert.Equal(new Dictionary<string, string> { ["plan"] = "pro" }, first.Traits);
        var prospect = await node.Query.GetUserAsync(new GetUserRequest { UserId = traitsOnly }, DemoTenant.Read);
        Assert.Equal(0, prospect.EventCount);
        Assert.Null(prospect.FirstSeen);
        Assert.Equal("trial", prospect.Traits["plan"]);
        var churned = await node.Query.GetUserAsync(new GetUserRequest { UserId = churner }, DemoTenant.Read);
        Assert.Equal(Lifecycle.Churned, churned.Lifecycle);

        foreach (var feature in features)
        {
            await Eventually(async () =>
            {
                var actual = await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read);
                Assert.Equal(ExpectedViews.Feature(oracle, feature, AcceptedEvents.Ms(actual.AsOf)), ExpectedViews.WithoutAdoption(actual));
            }, DefaultTimeout, () => node.Silo.Output);
        }

        var listed = await node.Query.ListFeaturesAsync(new ListFeaturesRequest { SortBy = FeatureSort.Name, Ascending = true }, DemoTenant.Read);
        Assert.Equal(listed.Features.Select(f => f.Feature).Order(StringComparer.Ordinal), listed.Features.Select(f => f.Feature));
        foreach (var feature in features)
        {
            var row = Assert.Single(listed.Features, f => f.Feature == feature);
            var expected = ExpectedViews.Feature(oracle, feature, AcceptedEvents.Ms(listed.AsOf));
            Assert.Equal((expected.AdoptersAllTime, expected.EventsAllTime, expected.FeedbackCount, expected.FeedbackMean),
                (row.AdoptersAllTime, row.EventsAllTime, row.FeedbackCount, row.FeedbackMean));
        }

        // The tenant is shared with the other tests of the collection: its figures must have grown by
        // exactly what this test's (new, distinct) users did.
        await Eventually(async () =>
        {
            var after = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            Assert.Equal(ExpectedViews.Days(oracle, AcceptedEvents.Ms(after.AsOf)), ExpectedViews.Difference(after, before));
            Assert.Equal(oracle.UserIds.Count - 1, after.TotalUsers - before.TotalUsers); // the prospect has no usage
            Assert.Equal(request.Events.Count - 1, after.TotalEvents - before.TotalEvents);
            Assert.Equal(response.Accepted + identifies.Count, after.Counters.Accepted - before.Counters.Accepted);
            Assert.Equal(1, after.Counters.Duplicates - before.Counters.Duplicates);
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task Identify_SameEventIdTwice_SecondIsDuplicate()
    {
        var prefix = Prefix("identify");
        var identify = new IdentifyRequest { EventId = $"{prefix}-i1", UserId = $"{prefix}-u", Timestamp = ExpectedViews.Time(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds()) };
        identify.Traits["plan"] = "team";

        var first = await node.Ingest.IdentifyAsync(identify, DemoTenant.Ingest);
        var second = await node.Ingest.IdentifyAsync(identify, DemoTenant.Ingest);

        Assert.Equal((true, false), (first.Accepted, first.Duplicate));
        Assert.Equal((false, true), (second.Accepted, second.Duplicate));
    }

    /// <summary>A wall-clock tenant's "now" is read by the gateway (no call to the tenant grain): it
    /// is still the clock's time at the query.</summary>
    [Fact]
    public async Task GetUser_WallClockTenant_AsOfIsTheTimeOfTheQuery()
    {
        var user = Prefix("wall-now");
        await node.Ingest.TrackAsync(new TrackRequest { Events = { Event(user, "e1", "page_view", DateTimeOffset.UtcNow.AddMinutes(-5)) } }, DemoTenant.Ingest);
        await Eventually(async () => await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read), DefaultTimeout);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var view = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
        var after = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        Assert.InRange(AcceptedEvents.Ms(view.AsOf), before, after);
        Assert.Equal(Lifecycle.New, view.Lifecycle);
    }

    /// <summary>A wall-clock tenant's GetFeature and ListFeatures ask the features and the tenant at
    /// once, and put the adoption rates together in the gateway: the feature's active users over the
    /// tenant's of the same day, as GetOverview reports the tenant's.</summary>
    [Fact]
    public async Task GetFeature_WallClockTenant_AdoptionIsTheFeaturesActiveUsersOverTheTenants()
    {
        var prefix = Prefix("adoption");
        var feature = $"{prefix}-search";
        var now = DateTimeOffset.UtcNow;
        var request = new TrackRequest { BatchId = $"{prefix}-batch" };
        request.Events.AddRange(Usage(prefix, users: 5, [feature, $"{prefix}-other"], count: 80, seed: 5, now, days: 20));
        request.Events.Add(Event($"{prefix}-u0", $"{prefix}-today", "feature_used", now.AddMinutes(-1), feature)); // a day-1 share too
        var response = await node.Ingest.TrackAsync(request, DemoTenant.Ingest);
        var accepted = new AcceptedEvents();
        accepted.Add(request, response);
        var oracle = accepted.Replay();

        await Eventually(async () =>
        {
            var before = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            var actual = await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = feature }, DemoTenant.Read);
            var listed = await node.Query.ListFeaturesAsync(new ListFeaturesRequest(), DemoTenant.Read);
            var after = await node.Query.GetOverviewAsync(new GetOverviewRequest(), DemoTenant.Read);
            Assert.Equal(ExpectedViews.Feature(oracle, feature, AcceptedEvents.Ms(actual.AsOf)), ExpectedViews.WithoutAdoption(actual));
            Assert.Equal(before.Days, after.Days); // the tenant held still around the query
            var today = after.Days[^1];
            Assert.Equal(TimeBuckets.DayOf(AcceptedEvents.Ms(actual.AsOf)), TimeBuckets.DayOf(AcceptedEvents.Ms(today.Day)));
            Assert.True(actual.Adoption.Day30 > 0, "the feature was used in the last 30 days");
            Assert.Equal(ExpectedViews.Adoption(oracle, feature, today), actual.Adoption);
            Assert.Equal(TimeBuckets.DayOf(AcceptedEvents.Ms(listed.AsOf)), TimeBuckets.DayOf(AcceptedEvents.Ms(today.Day)));
            Assert.Equal(actual.Adoption, Assert.Single(listed.Features, f => f.Feature == feature).Adoption); // ListFeatures' row alike
        }, DefaultTimeout, () => node.Silo.Output);
    }

    [Fact]
    public async Task GetUser_UnknownUser_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Query.GetUserAsync(new GetUserRequest { UserId = Prefix("nobody") }, DemoTenant.Read));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("user_id", error.Trailers.GetValue("field"));
    }

    /// <summary>A user who only ever came through Identify, and whose every trait was then deleted, is
    /// still a user the tenant has: GetUser answers with no traits and no usage; GetChurnRisk says
    /// there is no usage to score (not that the user is unknown); the overview's users, who are
    /// users with usage, do not count them.</summary>
    [Fact]
    public async Task GetUser_IdentifyOnlyUserWithEveryTraitDeleted_TheUserWithoutTraits()
    {
        var before = await node.SettledOverviewAsync();
        var prefix = Prefix("untraited");
        var user = $"{prefix}-u";
        var now = DateTimeOffset.UtcNow;
        var accepted = new AcceptedEvents();
        foreach (var identify in new[]
        {
            Identify($"{prefix}-i1", user, now.AddHours(-2), ("plan", "trial"), ("country", "DE")),
            Identify($"{prefix}-i2", user, now.AddHours(-1), ("plan", string.Empty), ("country", string.Empty)),
        })
        {
            Assert.True((await node.Ingest.IdentifyAsync(identify, DemoTenant.Ingest)).Accepted);
            accepted.Add(identify);
        }

        var oracle = accepted.Replay();
        await Eventually(async () =>
        {
            var actual = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
            Assert.Equal(ExpectedViews.User(oracle, user, AcceptedEvents.Ms(actual.AsOf)), actual);
        }, DefaultTimeout, () => node.Silo.Output);

        var view = await node.Query.GetUserAsync(new GetUserRequest { UserId = user }, DemoTenant.Read);
        Assert.Empty(view.Traits);
        Assert.Equal(0, view.EventCount);
        var risk = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = user }, DemoTenant.Read));
        Assert.Equal(StatusCode.FailedPrecondition, risk.StatusCode);
        Assert.Equal("user_id", risk.Trailers.GetValue("field"));
        Assert.Contains($"'{user}' has no usage", risk.Status.Detail, StringComparison.Ordinal);
        var after = await node.SettledOverviewAsync();
        Assert.Equal(before.TotalUsers, after.TotalUsers);
    }

    [Fact]
    public async Task GetFeature_UnknownFeature_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await node.Query.GetFeatureAsync(new GetFeatureRequest { Feature = Prefix("nothing") }, DemoTenant.Read));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("feature", error.Trailers.GetValue("field"));
    }

    /// <summary>Traits of u0 set out of time order, and a prospect known only by its traits.</summary>
    private static IEnumerable<IdentifyRequest> Identifies(string prefix, string prospect, DateTimeOffset now)
    {
        var user = $"{prefix}-u0";
        yield return Identify($"{prefix}-i1", user, now.AddDays(-9), ("plan", "free"), ("country", "DE"));
        yield return Identify($"{prefix}-i2", user, now.AddDays(-2), ("plan", "pro"));
        yield return Identify($"{prefix}-i3", user, now.AddDays(-3), ("plan", "enterprise")); // older: loses
        yield return Identify($"{prefix}-i4", user, now.AddDays(-1), ("country", string.Empty)); // deletes
        yield return Identify($"{prefix}-i5", prospect, now.AddHours(-1), ("plan", "trial"));
    }

    private static IdentifyRequest Identify(string eventId, string userId, DateTimeOffset at, params (string Key, string Value)[] traits)
    {
        var request = new IdentifyRequest { EventId = eventId, UserId = userId, Timestamp = ExpectedViews.Time(at.ToUnixTimeMilliseconds()) };
        foreach (var (key, value) in traits)
        {
            request.Traits[key] = value;
        }

        return request;
    }
}

using System.Globalization;
using Grpc.Core;
using ProductOps.Churn;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;
using Xunit.Abstractions;

namespace ProductOps.Gateway.Tests;

/// <summary>The churn queries over loopback gRPC against a node that a simulated history was
/// replayed into and a model trained on (see <see cref="ChurnNodeFixture"/>).</summary>
[Collection(ChurnNodeCollection.Name)]
public sealed class ChurnQueryTests(ChurnNodeFixture fixture, ITestOutputHelper output)
{
    private static readonly ChurnRiskView[] NoViews = [];

    /// <summary>The end-to-end test: every known user is exported, with a probability
    /// from the active model or, for users who cancelled, as cancelled; the simulator's churners
    /// among the scored rank above its retained users.</summary>
    [Fact]
    public async Task ExportPredictions_ReplayedHistoryAndTrainedModel_EveryUserScoredAndChurnersRankHigher()
    {
        var exported = await fixture.ExportWhenSweptAsync();

        Assert.Equal(fixture.KnownUsers.Order(StringComparer.Ordinal), exported.Select(v => v.UserId).Order(StringComparer.Ordinal));
        var overview = await fixture.Query.GetOverviewAsync(new GetOverviewRequest(), ChurnNodeFixture.Read);
        var scored = exported.Where(v => v.CancelledAt is null).ToList();
        Assert.All(scored, v =>
        {
            Assert.True(v.HasProbability);
            Assert.InRange(v.Probability, 0, 1);
            Assert.Equal(overview.AsOf, v.ScoredAt); // dormant users too: scored at the tenant clock's now
            Assert.Equal(v.Probability >= ChurnNodeFixture.AlertThreshold, v.AtRisk);
            Assert.Equal(v.AtRisk, v.Reasons.Count > 0); // explained exactly when at risk
        });

        var churned = scored.Select(v => fixture.Simulation.GetGroundTruth(v.UserId).Churned).ToList();
        var model = ChurnMetrics.Compute([.. scored.Select(v => (float)v.Probability)], churned);
        var nowMs = overview.AsOf.ToDateTimeOffset().ToUnixTimeMilliseconds();
        var lastSeen = fixture.Histories.ToDictionary(h => h.UserId, h => h.Events.Max(e => e.TimestampMs), StringComparer.Ordinal);
        var recency = ChurnMetrics.Compute([.. scored.Select(v => (float)(1 - Math.Exp(-(nowMs - lastSeen[v.UserId]) / (double)TimeBuckets.MsPerDay / 7)))], churned);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{exported.Count} users, {exported.Count - scored.Count} cancelled; {scored.Count} scored, {churned.Count(c => c)} of them churners; AUC of exported scores {model.Auc:0.000}, recency alone {recency.Auc:0.000}"));
        Assert.True(model.Auc >= 0.8, $"AUC {model.Auc:0.000}");

        Assert.Equal(exported.Count, overview.Churn.Users);
        Assert.Equal(scored.Count, overview.Churn.ScoredUsers);
        Assert.Equal(exported.Count - scored.Count, overview.Churn.CancelledUsers);
        Assert.True(overview.Churn.CancelledUsers > 0, "the simulation has users who cancelled");
        Assert.Equal(exported.Count(v => v.AtRisk), overview.Churn.AtRiskUsers);
        Assert.Equal(fixture.ModelVersion, overview.Churn.ModelVersion);
        Assert.Equal(ChurnNodeFixture.AlertThreshold, overview.Churn.AlertThreshold);
    }

    /// <summary>Users who cancelled are exported as such, with the time and no probability: the
    /// model never saw such users, so any probability would be made up.</summary>
    [Fact]
    public async Task ExportPredictions_CancelledUsers_CancelledAtAndNoProbability()
    {
        var exported = await fixture.ExportWhenSweptAsync();

        var cancelled = exported.Where(v => v.CancelledAt is not null).ToList();
        Assert.True(fixture.CancelledUsers.Count > 10, $"{fixture.CancelledUsers.Count} users cancelled");
        Assert.Equal(fixture.CancelledUsers.Keys.Order(StringComparer.Ordinal), cancelled.Select(v => v.UserId).Order(StringComparer.Ordinal));
        Assert.All(cancelled, v =>
        {
            Assert.Equal(fixture.CancelledUsers[v.UserId], v.CancelledAt.ToDateTimeOffset().ToUnixTimeMilliseconds());
            Assert.False(v.HasProbability);
            Assert.Equal((0, false, 0), (v.ModelVersion, v.AtRisk, v.Reasons.Count));
            Assert.Null(v.ScoredAt);
        });
    }

    /// <summary>The at-risk list, the at-risk count and the alerts leave users who cancelled out
    /// (in this history, they would otherwise fill much of the top of the list).</summary>
    [Fact]
    public async Task ListAtRiskUsers_AllProbabilities_EveryScoredUserAndNoCancelledOne()
    {
        var exported = await fixture.ExportWhenSweptAsync();

        var listed = await ListAllAsync(new ListAtRiskUsersRequest { MinProbability = 0, PageSize = 1000 });

        Assert.Equal(
            exported.Where(v => v.CancelledAt is null).Select(v => v.UserId).Order(StringComparer.Ordinal),
            listed.Select(v => v.UserId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(listed, v => fixture.CancelledUsers.ContainsKey(v.UserId));
        Assert.DoesNotContain(fixture.Alerts, a => fixture.CancelledUsers.ContainsKey(a.User.UserId));
    }

    [Fact]
    public async Task GetChurnRisk_CancelledUser_FailedPreconditionNamingUserAndTime()
    {
        var (userId, cancelledAtMs) = fixture.CancelledUsers.MinBy(u => u.Key, StringComparer.Ordinal);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = userId }, ChurnNodeFixture.Read));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("user_id", error.Trailers.GetValue("field"));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(cancelledAtMs).ToString("yyyy-MM-ddTHH:mm:ss.FFFZ", CultureInfo.InvariantCulture);
        Assert.Equal($"user_id: user '{userId}' cancelled at {at}; churn risk is scored for users who have not churned", error.Status.Detail);
    }

    [Fact]
    public async Task WatchAtRisk_ModelActivated_AlertsEveryUserScoredAtOrAboveThreshold()
    {
        var exported = await fixture.ExportWhenSweptAsync();
        var atRisk = exported.Where(v => v.AtRisk).Select(v => v.UserId).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(atRisk);

        await Polling.Eventually(() =>
        {
            var alerted = fixture.Alerts.Select(a => a.User.UserId).Distinct().Order(StringComparer.Ordinal);
            Assert.Equal(atRisk, alerted);
            return Task.CompletedTask;
        }, Polling.DefaultTimeout);
        Assert.All(fixture.Alerts, a =>
        {
            Assert.True(a.User.AtRisk);
            Assert.False(a.HasPreviousProbability); // nobody had a score before the first model
        });
    }

    /// <summary>A watch that ended (a gateway stopped) carries on from the last alert it received,
    /// or from its start's header: the alerts after that place, in the feed's order.</summary>
    [Fact]
    public async Task WatchAtRisk_Resumed_SendsTheAlertsAfterItsPlaceInOrder()
    {
        var alerts = await AllAlertsAsync();
        var middle = alerts.Count / 2;

        var fromMiddle = await FirstAlertsAsync(alerts[middle].ResumeToken, alerts.Count - middle - 1);
        var fromStart = await FirstAlertsAsync(fixture.WatchStartToken, alerts.Count);

        Assert.Equal(alerts.Skip(middle + 1), fromMiddle);
        Assert.Equal(alerts, fromStart);
        Assert.Equal(alerts.Count, alerts.Select(a => a.ResumeToken).Distinct().Count());
    }

    [Fact]
    public async Task WatchAtRisk_ResumeTokenNotFromThisTenantsWatches_InvalidArgumentNamingIt()
    {
        var start = ParseStart();
        string[] tokens =
        [
            "not-a-token",
            AtRiskPageToken.Encode(new AtRiskCursor(0.5f, "u1")),
            AtRiskResumeToken.Encode("another-tenant", start),
            AtRiskResumeToken.Encode(ChurnNodeFixture.Tenant, start with { Seq = start.Seq + 1_000_000 }),
        ];

        foreach (var token in tokens)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => FirstAlertsAsync(token, 1));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.Equal("resume_token", error.Trailers.GetValue("field"));
        }
    }

    /// <summary>A place in a feed that was lost with its server (here: an epoch this node never had)
    /// cannot be carried on from: the watch says so rather than starting after the gap.</summary>
    [Fact]
    public async Task WatchAtRisk_ResumedFromALostFeed_AbortedSayingAlertsMayBeMissed()
    {
        var lost = AtRiskResumeToken.Encode(ChurnNodeFixture.Tenant, new AtRiskFeedPosition(Guid.NewGuid(), 3));

        var error = await Assert.ThrowsAsync<RpcException>(() => FirstAlertsAsync(lost, 1));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains("may have been missed", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("ListAtRiskUsers", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetChurnRisk_KnownUser_ActiveModelScoreWithReasons()
    {
        var exported = await fixture.ExportWhenSweptAsync();
        var top = exported.Where(v => v.HasProbability).MaxBy(v => v.Probability)!;

        var risk = await fixture.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = top.UserId }, ChurnNodeFixture.Read);

        Assert.Equal(top.UserId, risk.UserId);
        Assert.Equal(fixture.ModelVersion, risk.ModelVersion);
        Assert.Equal(top.ScoredAt, risk.ScoredAt);
        Assert.Equal(top.Probability, risk.Probability, 5);
        Assert.NotEmpty(risk.Reasons);
    }

    /// <summary>An event-clock tenant's "now" is its latest event time, which only its grain knows:
    /// GetUser asks it, and answers as of the same time as GetOverview.</summary>
    [Fact]
    public async Task GetUser_EventClockTenant_AsOfIsTheTenantsLatestEvent()
    {
        var overview = await fixture.Query.GetOverviewAsync(new GetOverviewRequest(), ChurnNodeFixture.Read);

        var view = await fixture.Query.GetUserAsync(new GetUserRequest { UserId = fixture.KnownUsers.First() }, ChurnNodeFixture.Read);

        Assert.Equal(overview.AsOf, view.AsOf);
        Assert.True(overview.AsOf.ToDateTimeOffset() < DateTimeOffset.UtcNow.AddDays(-1), "the simulated history ends before today");
    }

    /// <summary>An event-clock tenant's GetFeature asks the tenant for its clock and active users
    /// first: it answers as of the tenant's latest event, with the adoption rates of that day, as
    /// ListFeatures does.</summary>
    [Fact]
    public async Task GetFeature_EventClockTenant_AdoptionAsOfTheTenantsLatestEvent()
    {
        var overview = await fixture.Query.GetOverviewAsync(new GetOverviewRequest(), ChurnNodeFixture.Read);
        var listed = await fixture.Query.ListFeaturesAsync(new ListFeaturesRequest(), ChurnNodeFixture.Read);
        var row = listed.Features.MaxBy(f => f.Adoption.Day30)!;

        var view = await fixture.Query.GetFeatureAsync(new GetFeatureRequest { Feature = row.Feature }, ChurnNodeFixture.Read);

        Assert.Equal(overview.AsOf, view.AsOf);
        Assert.True(view.Adoption.Day30 > 0, "the simulated product's features are used in its last 30 days");
        Assert.Equal(row.Adoption, view.Adoption);
    }

    [Fact]
    public async Task GetChurnRisk_UnknownUser_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = "nobody-here" }, ChurnNodeFixture.Read));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("user_id", error.Trailers.GetValue("field"));
    }

    [Fact]
    public async Task GetChurnRisk_TenantWithoutModel_FailedPrecondition()
    {
        var userId = EventFactory.Prefix("churn-nomodel");
        var track = new TrackRequest { Events = { EventFactory.Event(userId, "e1", "page_view", DateTimeOffset.UtcNow) } };
        await fixture.Node.Ingest.TrackAsync(track, DemoTenant.Ingest);

        var status = await Polling.Eventually(async () =>
        {
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await fixture.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = userId }, DemoTenant.Read));
            Assert.NotEqual(StatusCode.NotFound, error.StatusCode); // not until the event is applied
            return error.StatusCode;
        }, Polling.DefaultTimeout);

        Assert.Equal(StatusCode.FailedPrecondition, status);
    }

    /// <summary>Without a model nobody's risk is known: the list says so, as GetChurnRisk does,
    /// rather than answer an empty list that reads as "nobody at risk".</summary>
    [Fact]
    public async Task ListAtRiskUsers_TenantWithoutModel_FailedPrecondition()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest(), DemoTenant.Read));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("no active churn model", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAtRiskUsers_PagedByToken_EveryAtRiskUserOnceInProbabilityOrder()
    {
        var exported = await fixture.ExportWhenSweptAsync();
        var expected = Ordered(exported.Where(v => v.HasProbability && v.Probability >= ChurnNodeFixture.AlertThreshold));

        var listed = await ListAllAsync(new ListAtRiskUsersRequest { PageSize = 7 });

        Assert.True(expected.Count > 7, $"{expected.Count} users at risk");
        Assert.Equal(expected.Select(v => v.UserId), listed.Select(v => v.UserId));
        Assert.Equal(expected.Select(v => v.Probability), listed.Select(v => v.Probability));
    }

    [Fact]
    public async Task ListAtRiskUsers_MinProbabilityAndFeature_OnlyUsersOfTheFeatureAboveIt()
    {
        var exported = await fixture.ExportWhenSweptAsync();
        var feature = fixture.Simulation.Features[^1].Name;
        var users = fixture.Histories.Where(h => h.Events.Any(e => e.Feature == feature)).Select(h => h.UserId).ToHashSet(StringComparer.Ordinal);
        var expected = Ordered(exported.Where(v => v.HasProbability && v.Probability >= 0.05 && users.Contains(v.UserId)));

        var listed = await ListAllAsync(new ListAtRiskUsersRequest { MinProbability = 0.05, Feature = feature, PageSize = 1000 });

        Assert.NotEmpty(expected);
        Assert.True(expected.Count < exported.Count, "the filter must leave users out");
        Assert.Equal(expected.Select(v => v.UserId), listed.Select(v => v.UserId));
    }

    /// <summary>A page that ends the list says so: a "next" that leads to an empty page would be
    /// a dead end on a dashboard.</summary>
    [Fact]
    public async Task ListAtRiskUsers_LastPageExactlyFull_NoNextPageToken()
    {
        var exported = await fixture.ExportWhenSweptAsync();
        var atRisk = exported.Count(v => v.HasProbability && v.Probability >= ChurnNodeFixture.AlertThreshold);
        Assert.InRange(atRisk, 2, 1000);

        var whole = await fixture.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest { PageSize = atRisk }, ChurnNodeFixture.Read);
        var first = await fixture.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest { PageSize = atRisk - 1 }, ChurnNodeFixture.Read);
        var last = await fixture.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest { PageSize = 1, PageToken = first.NextPageToken }, ChurnNodeFixture.Read);

        Assert.Equal((atRisk, string.Empty), (whole.Users.Count, whole.NextPageToken));
        Assert.NotEmpty(first.NextPageToken);
        Assert.Equal((1, string.Empty), (last.Users.Count, last.NextPageToken));
        Assert.Equal(whole.Users[^1].UserId, last.Users[0].UserId);
    }

    /// <summary>A feature the tenant does not have (a typo, say) is NotFound, as GetFeature says, not
    /// an empty list that reads as "nobody at risk".</summary>
    [Fact]
    public async Task ListAtRiskUsers_FeatureTheTenantDoesNotHave_NotFoundNamingFeature()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Query.ListAtRiskUsersAsync(
            new ListAtRiskUsersRequest { Feature = "no-such-feature", MinProbability = 0 }, ChurnNodeFixture.Read));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("feature", error.Trailers.GetValue("field"));
        Assert.Contains("no-such-feature", error.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("min_probability", 1.5, 0, "", "")]
    [InlineData("min_probability", -0.1, 0, "", "")]
    [InlineData("page_size", null, 1001, "", "")]
    [InlineData("page_size", null, -1, "", "")]
    [InlineData("page_token", null, 0, "not-a-token", "")]
    [InlineData("feature", null, 0, "", "bad\u0001feature")]
    public async Task ListAtRiskUsers_BadInput_InvalidArgumentNamingField(string field, double? minProbability, int pageSize, string pageToken, string feature)
    {
        var request = new ListAtRiskUsersRequest { PageSize = pageSize, PageToken = pageToken, Feature = feature };
        if (minProbability is { } min)
        {
            request.MinProbability = min;
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Query.ListAtRiskUsersAsync(request, ChurnNodeFixture.Read));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, error.Trailers.GetValue("field"));
        Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetChurnRisk_EmptyUserId_InvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await fixture.Query.GetChurnRiskAsync(new GetChurnRiskRequest(), ChurnNodeFixture.Read));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("user_id", error.Trailers.GetValue("field"));
    }

    [Theory]
    [InlineData(ChurnNodeFixture.IngestKey, StatusCode.PermissionDenied)]
    [InlineData("not-a-key", StatusCode.Unauthenticated)]
    [InlineData(null, StatusCode.Unauthenticated)]
    public async Task ChurnQueries_WithoutReadKey_Refused(string? apiKey, StatusCode expected)
    {
        var headers = apiKey is null ? new Metadata() : DemoTenant.Headers(apiKey);
        var query = fixture.Query;

        Assert.Equal(expected, await StatusOf(async () => await query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = "u" }, headers)));
        Assert.Equal(expected, await StatusOf(async () => await query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest(), headers)));
        Assert.Equal(expected, await StatusOf(async () =>
        {
            using var call = query.ExportPredictions(new ExportPredictionsRequest(), headers);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }));
        Assert.Equal(expected, await StatusOf(async () =>
        {
            using var call = query.WatchAtRisk(new WatchAtRiskRequest(), headers);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }));
    }

    /// <summary>Every alert of the model's sweep, once the fixture's watch has them all.</summary>
    private async Task<List<AtRiskAlert>> AllAlertsAsync()
    {
        var exported = await fixture.ExportWhenSweptAsync();
        var atRisk = exported.Count(v => v.AtRisk);
        await Polling.Until(() => fixture.Alerts.Count >= atRisk, Polling.DefaultTimeout, () => $"{fixture.Alerts.Count} of {atRisk} alerts");
        var alerts = fixture.Alerts.ToList();
        Assert.True(alerts.Count > 2, $"{alerts.Count} alerts");
        return alerts;
    }

    /// <summary>The first <paramref name="count"/> alerts of a watch resumed from <paramref name="token"/>.</summary>
    private async Task<List<AtRiskAlert>> FirstAlertsAsync(string token, int count)
    {
        using var timeout = new CancellationTokenSource(Polling.DefaultTimeout);
        using var call = fixture.Query.WatchAtRisk(new WatchAtRiskRequest { ResumeToken = token }, ChurnNodeFixture.Read, cancellationToken: timeout.Token);
        var alerts = new List<AtRiskAlert>();
        while (alerts.Count < count && await call.ResponseStream.MoveNext(timeout.Token))
        {
            alerts.Add(call.ResponseStream.Current);
        }

        return alerts;
    }

    /// <summary>The fixture watch's start, read back from its token (to forge others from).</summary>
    private AtRiskFeedPosition ParseStart() =>
        AtRiskResumeToken.Decode(fixture.WatchStartToken, ChurnNodeFixture.Tenant)!;

    private static List<ChurnRiskView> Ordered(IEnumerable<ChurnRiskView> views) =>
        [.. views.OrderByDescending(v => (float)v.Probability).ThenBy(v => v.UserId, StringComparer.Ordinal)];

    private async Task<List<ChurnRiskView>> ListAllAsync(ListAtRiskUsersRequest first)
    {
        var listed = new List<ChurnRiskView>();
        var request = first;
        while (true)
        {
            var page = await fixture.Query.ListAtRiskUsersAsync(request, ChurnNodeFixture.Read);
            Assert.Equal(ChurnNodeFixture.AlertThreshold, page.AlertThreshold);
            Assert.True(page.Users.Count <= Math.Max(request.PageSize, 1));
            listed.AddRange(page.Users);
            if (page.NextPageToken.Length == 0)
            {
                return listed;
            }

            request = first.Clone();
            request.PageToken = page.NextPageToken;
        }
    }

    private static async Task<StatusCode> StatusOf(Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(call);
        return error.StatusCode;
    }
}

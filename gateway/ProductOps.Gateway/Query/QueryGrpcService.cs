using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Auth;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Gateway.Query;

/// <summary>The QueryService. "Now" is always the caller's tenant clock.</summary>
[BindServiceMethod(typeof(QueryServiceBinding), nameof(QueryServiceBinding.Bind))]
public sealed class QueryGrpcService(
    IGrainFactory grains,
    IOptions<IngestLimits> limits,
    IOptions<PipelineOptions> pipeline,
    TenantDirectory tenants,
    ChurnIndexReader churnIndex,
    StreamSlots streams,
    PartitionStatusCache partitionStatuses,
    TimeProvider time,
    IHostApplicationLifetime lifetime)
    : QueryService.QueryServiceBase
{
    private const int DefaultRangeDays = 30;
    private const int MaxFeatures = 1000;
    /// <summary>The WatchAtRisk response header with the resume token of the watch's start.</summary>
    public const string AtRiskResumeHeader = "resume-token";

    private const int DefaultAtRiskPageSize = 50;
    private const int MaxAtRiskPageSize = 1000;
    private static readonly TimeSpan WatchPollWait = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan DefaultWatchInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinWatchInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxWatchInterval = TimeSpan.FromSeconds(60);

    public override async Task<UserView> GetUser(GetUserRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        RequireId("user_id", request.UserId);
        var user = await grains.GetGrain<IUserGrain>(GrainKeys.For(tenant, request.UserId)).Get(await NowMsAsync(tenant));
        // A silo of an earlier build sends no HasEvents: what it did send still tells a known user.
        if (!user.HasEvents && user.FirstSeenMs is null && user.Traits.Count == 0)
        {
            throw new NotFoundException("user_id", $"no events for user '{request.UserId}'");
        }

        return ContractMapper.ToContract(user);
    }

    public override async Task<FeatureView> GetFeature(GetFeatureRequest request, ServerCallContext context) =>
        (await FeatureViewAsync(CallerContext.TenantOf(context), request)).View;

    public override Task WatchFeature(WatchFeatureRequest request, IServerStreamWriter<FeatureView> responseStream, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        var view = request.View ?? new GetFeatureRequest();
        RequireId("view.feature", view.Feature); // before the token, which names the feature
        var kind = ViewResumeToken.FeatureKind(view.Feature);
        return WatchAsync(tenant, kind, WatchIntervalOf(request.Interval), ResumeAfter(request.ResumeToken, tenant, kind, grains: 2),
            () => FeatureViewAsync(tenant, view), ViewChanges.OfFeature, (v, token) => v.ResumeToken = token, responseStream, context);
    }

    private async Task<VersionedView<FeatureView>> FeatureViewAsync(string tenant, GetFeatureRequest request)
    {
        RequireId("feature", request.Feature);
        var (nowMs, activeCall) = await NowAndActiveUsersAsync(tenant);
        var reportCall = grains.GetGrain<IFeatureGrain>(GrainKeys.For(tenant, request.Feature))
            .GetReport(RangeOf(request.From, request.To, nowMs), nowMs);
        await Task.WhenAll(reportCall, activeCall);
        var report = await reportCall;
        if (report.Totals.EventsAllTime == 0)
        {
            throw NoSuchFeature(request.Feature);
        }

        var active = await activeCall;
        return new(ContractMapper.ToContract(report, active), new ViewVersion(report.Totals.EventsAllTime, [report.Version, active.Version]));
    }

    public override async Task<ListFeaturesResponse> ListFeatures(ListFeaturesRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        if (request.Limit is < 0 or > MaxFeatures)
        {
            throw new RequestValidationException(new ValidationFailure("limit", $"must be 0 (all, up to {MaxFeatures}) to {MaxFeatures}"));
        }

        // A value of a newer contract would otherwise be sorted by adopters, as if it had been asked.
        if (!System.Enum.IsDefined(request.SortBy))
        {
            throw new RequestValidationException(new ValidationFailure("sort_by", $"{(int)request.SortBy} is not a sort this service knows"));
        }

        var featuresCall = grains.GetGrain<ITenantGrain>(tenant).GetFeatures();
        var (nowMs, activeCall) = await NowAndActiveUsersAsync(tenant);
        await Task.WhenAll(featuresCall, activeCall);
        var totals = await Task.WhenAll((await featuresCall).Select(f =>
            grains.GetGrain<IFeatureGrain>(GrainKeys.For(tenant, f)).GetTotals(nowMs)));
        var active = await activeCall;

        var response = new ListFeaturesResponse { AsOf = ContractMapper.Time(nowMs), TotalFeatures = totals.Length };
        response.Features.AddRange(FeatureRanking.Sort(totals.Select(t => t.Against(active)), request.SortBy, request.Ascending)
            .Take(request.Limit == 0 ? MaxFeatures : request.Limit)
            .Select(ContractMapper.ToContract));
        return response;
    }

    public override async Task<OverviewView> GetOverview(GetOverviewRequest request, ServerCallContext context) =>
        (await OverviewViewAsync(CallerContext.TenantOf(context), request, partitionStatuses.GetSinceAsync(time.GetTimestamp()))).View;

    public override Task WatchOverview(WatchOverviewRequest request, IServerStreamWriter<OverviewView> responseStream, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        var view = request.View ?? new GetOverviewRequest();
        var kind = ViewResumeToken.OverviewKind;
        return WatchAsync(tenant, kind, WatchIntervalOf(request.Interval), ResumeAfter(request.ResumeToken, tenant, kind, grains: 1),
            () => OverviewViewAsync(tenant, view, partitionStatuses.GetRecentAsync()), ViewChanges.OfOverview, (v, token) => v.ResumeToken = token, responseStream, context);
    }

    /// <summary>A tenant's overview. <paramref name="statusesCall"/> is the partitions' statuses,
    /// asked no earlier than the view answers for: what they show dispatched is in the tenant's
    /// aggregates when those are read after them, so a view that says caught up holds every
    /// event acknowledged before the statuses were asked.</summary>
    private async Task<VersionedView<OverviewView>> OverviewViewAsync(string tenant, GetOverviewRequest request, Task<PartitionStatus[]> statusesCall)
    {
        // The churn index does not depend on the statuses: asked at once. The tenant's aggregates
        // are read only once the statuses are in (see above).
        var churnCall = ChurnSummaryAsync(tenant);
        var statuses = await statusesCall;
        var overview = await OverviewAsync(tenant, request);
        var freshness = TenantFreshness.Of(tenant, statuses, time.GetUtcNow().ToUnixTimeMilliseconds(), overview.LastDispatchLagMs);
        var churn = await churnCall;

        var view = new OverviewView
        {
            TotalUsers = overview.Activity.TotalUsers,
            TotalEvents = overview.Activity.TotalEvents,
            Counters = new IngestionCounters
            {
                Accepted = overview.Counters.Accepted,
                Duplicates = overview.Counters.Duplicates,
                Rejected = overview.Counters.Rejected,
            },
            Freshness = freshness,
            AsOf = ContractMapper.Time(overview.NowMs),
            Clock = overview.Clock == TenantClock.Event ? "event" : "wall",
            Churn = churn,
        };
        view.Days.AddRange(overview.Activity.Days.Select(ContractMapper.ToContract));
        return new(view, new ViewVersion(overview.Activity.TotalEvents, [overview.Version]));
    }

    public override async Task<ChurnRiskView> GetChurnRisk(GetChurnRiskRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        RequireId("user_id", request.UserId);
        var nowMs = await NowMsAsync(tenant);
        var answer = await grains.GetGrain<IUserGrain>(GrainKeys.For(tenant, request.UserId)).GetChurnRisk(nowMs);
        if (answer.Risk is { } risk)
        {
            return ContractMapper.ToContract(request.UserId, risk, tenants.SettingsOf(tenant).AlertThreshold);
        }

        if (!answer.HasUsage)
        {
            throw answer.HasEvents
                ? new FailedPreconditionException("user_id", $"user '{request.UserId}' has no usage events (only Identify calls); churn risk is scored from usage")
                : new NotFoundException("user_id", $"no events for user '{request.UserId}'");
        }

        if (answer.CancelledAtMs is { } cancelledAt)
        {
            // Not a score of 1 or of anything: the model never learnt from users who had cancelled.
            var at = DateTimeOffset.FromUnixTimeMilliseconds(cancelledAt).ToString("yyyy-MM-ddTHH:mm:ss.FFFZ", CultureInfo.InvariantCulture);
            throw new FailedPreconditionException("user_id", $"user '{request.UserId}' cancelled at {at}; churn risk is scored for users who have not churned");
        }

        throw NoActiveModel();
    }

    private static NotFoundException NoSuchFeature(string feature) => new("feature", $"no events for feature '{feature}'");

    private static FailedPreconditionException NoActiveModel() => new("the tenant has no active churn model yet: train and activate one");

    public override async Task<ListAtRiskUsersResponse> ListAtRiskUsers(ListAtRiskUsersRequest request, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        var threshold = tenants.SettingsOf(tenant).AlertThreshold;
        if (request.HasMinProbability && request.MinProbability is not (>= 0 and <= 1))
        {
            throw new RequestValidationException(new ValidationFailure("min_probability", "must be 0-1"));
        }

        if (request.PageSize is < 0 or > MaxAtRiskPageSize)
        {
            throw new RequestValidationException(new ValidationFailure("page_size", $"must be 0 (default {DefaultAtRiskPageSize}) to {MaxAtRiskPageSize}"));
        }

        if (request.Feature.Length > 0)
        {
            RequireId("feature", request.Feature);
        }

        // One more than the page, to tell whether another follows: a full last page gets no token.
        var pageSize = request.PageSize == 0 ? DefaultAtRiskPageSize : request.PageSize;
        var query = new AtRiskQuery(
            request.HasMinProbability ? request.MinProbability : threshold,
            request.Feature.Length > 0 ? request.Feature : null,
            AtRiskPageToken.Decode(request.PageToken, limits.Value),
            pageSize + 1);
        var usersCall = churnIndex.TopAsync(tenant, query);
        if (query.Feature is { } feature)
        {
            await RequireFeatureAsync(tenant, feature);
        }

        var users = await usersCall;
        // No user is scored without a model: an empty page would read as "nobody at risk".
        if (users.Count == 0 && (await grains.GetGrain<IChurnSweepGrain>(tenant).GetStatus()).ActiveModelVersion == 0)
        {
            throw NoActiveModel();
        }

        var page = users.Take(pageSize).ToList();

        var response = new ListAtRiskUsersResponse { AlertThreshold = threshold };
        response.Users.AddRange(page.Select(u => ContractMapper.ToContract(u, threshold)));
        if (users.Count > pageSize)
        {
            response.NextPageToken = AtRiskPageToken.Encode(new AtRiskCursor(page[^1].Risk!.Probability, page[^1].UserId));
        }

        return response;
    }

    /// <summary>NotFound for a feature the tenant has no events of: a filter by it (a typo, say)
    /// would otherwise answer an empty list, which reads as "nobody at risk".</summary>
    private async Task RequireFeatureAsync(string tenant, string feature)
    {
        // Only the feature's events of all time are read: the adoption's day does not matter.
        var totals = await grains.GetGrain<IFeatureGrain>(GrainKeys.For(tenant, feature)).GetTotals(time.GetUtcNow().ToUnixTimeMilliseconds());
        if (totals.EventsAllTime == 0)
        {
            throw NoSuchFeature(feature);
        }
    }

    /// <summary>Ends, Unavailable, when this process stops, as the watches do: a caller that
    /// reads slowly, or stopped reading, would otherwise hold the stop for its whole timeout.</summary>
    public override async Task ExportPredictions(ExportPredictionsRequest request, IServerStreamWriter<ChurnRiskView> responseStream, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        using var slot = streams.EnterExport(tenant);
        using var exporting = UntilCallEndsOrProcessStops(context);
        var threshold = tenants.SettingsOf(tenant).AlertThreshold;
        await foreach (var entry in churnIndex.PredictionsAsync(tenant, exporting.Token))
        {
            await responseStream.WriteAsync(ContractMapper.ToContract(entry, threshold), exporting.Token);
        }
    }

    /// <summary>The version a view watch's resume token names (null for none); a feature view is
    /// built from two grains (the feature's and the tenant's), an overview from one.</summary>
    private ViewVersion? ResumeAfter(string token, string tenant, string kind, int grains) =>
        ViewResumeToken.Decode(token, tenant, kind, grains, pipeline.Value.Partitions);

    /// <summary>A view watch (<see cref="ViewWatch"/>) until the caller goes away (Cancelled) or
    /// this process stops (Unavailable), as WatchAtRisk ends. Bad input in the view is named by its
    /// path in the watch request.</summary>
    private async Task WatchAsync<TView>(string tenant, string kind, TimeSpan interval, ViewVersion? resumeAfter, Func<Task<VersionedView<TView>>> read,
        Func<TView, TView> changeKey, Action<TView, string> stampResumeToken, IServerStreamWriter<TView> responseStream, ServerCallContext context)
        where TView : class, IMessage<TView>
    {
        using var slot = streams.EnterViewWatch(tenant);
        using var watching = UntilCallEndsOrProcessStops(context);
        // Headers at once: a resumed watch may hold back its first view for up to ResumePatience,
        // and a client (or proxy) waiting for headers should not take that for a dead call.
        await context.WriteResponseHeadersAsync(new Metadata());
        await ViewWatch.RunAsync(
            () => InView(read),
            changeKey,
            (view, version) =>
            {
                stampResumeToken(view, ViewResumeToken.Encode(tenant, kind, version));
                return responseStream.WriteAsync(view, watching.Token);
            },
            interval,
            (delay, token) => Task.Delay(delay, time, token),
            time,
            watching.Token,
            resumeAfter);
    }

    /// <summary>Cancelled when the caller goes away or this process begins to stop: what ends a
    /// stream that would otherwise hold the stop (the mapping answers Cancelled or Unavailable).</summary>
    private CancellationTokenSource UntilCallEndsOrProcessStops(ServerCallContext context) =>
        CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);

    private static async Task<TView> InView<TView>(Func<Task<TView>> read)
    {
        try
        {
            return await read();
        }
        catch (RequestValidationException e)
        {
            throw new RequestValidationException(e.Failure with { Field = $"view.{e.Failure.Field}" });
        }
        catch (NotFoundException e)
        {
            throw e.Within("view");
        }
    }

    private static TimeSpan WatchIntervalOf(Duration? interval)
    {
        if (interval is null)
        {
            return DefaultWatchInterval;
        }

        var value = interval.Seconds is >= 0 and <= 60 && interval.Nanos is >= 0 and < 1_000_000_000 ? interval.ToTimeSpan() : TimeSpan.MinValue;
        return value >= MinWatchInterval && value <= MaxWatchInterval
            ? value
            : throw new RequestValidationException(new ValidationFailure("interval", $"must be {MinWatchInterval.TotalMilliseconds:0} ms to {MaxWatchInterval.TotalSeconds:0} s"));
    }

    public override async Task WatchAtRisk(WatchAtRiskRequest request, IServerStreamWriter<AtRiskAlert> responseStream, ServerCallContext context)
    {
        var tenant = CallerContext.TenantOf(context);
        using var slot = streams.EnterWatch(tenant);
        var resumeAfter = AtRiskResumeToken.Decode(request.ResumeToken, tenant);
        var feed = await AtRiskFeedReader.StartAsync(grains, tenant, resumeAfter, time, ClusterFailures.OutagePatience);
        // Tells the caller the watch is in place, and where: a watch resumed from this token misses nothing.
        await context.WriteResponseHeadersAsync(new Metadata { { AtRiskResumeHeader, AtRiskResumeToken.Encode(tenant, feed.Start) } });
        // The watch ends when the caller goes away, and then at once, with Cancelled: the
        // caller's token cancels the grain's wait too. It also ends, Unavailable, when this
        // process stops, which would otherwise wait on it for its whole shutdown timeout.
        using var watching = UntilCallEndsOrProcessStops(context);
        while (true)
        {
            watching.Token.ThrowIfCancellationRequested();
            var crossings = await feed.NextAsync(WatchPollWait, watching.Token);
            var threshold = tenants.SettingsOf(tenant).AlertThreshold;
            foreach (var (crossing, place) in crossings)
            {
                var alert = ContractMapper.ToContract(crossing, threshold);
                alert.ResumeToken = AtRiskResumeToken.Encode(tenant, place);
                await responseStream.WriteAsync(alert, watching.Token);
            }
        }
    }

    private async Task<ChurnSummary> ChurnSummaryAsync(string tenant)
    {
        var threshold = tenants.SettingsOf(tenant).AlertThreshold;
        var counts = await churnIndex.CountAsync(tenant, threshold);
        var sweep = await grains.GetGrain<IChurnSweepGrain>(tenant).GetStatus();
        return new ChurnSummary
        {
            Users = counts.Users,
            ScoredUsers = counts.Scored,
            CancelledUsers = counts.Cancelled,
            AtRiskUsers = counts.AtRisk,
            AlertThreshold = threshold,
            ModelVersion = sweep.ActiveModelVersion,
        };
    }

    /// <summary>The tenant clock's now, for a query that needs nothing else of the tenant grain. A
    /// wall-clock tenant's is read here, so the query makes one grain call instead of two in turn;
    /// an event-clock tenant's is its latest event time, which only its grain knows. (A switch of
    /// clock reaches this gateway with its next settings refresh.)</summary>
    private async ValueTask<long> NowMsAsync(string tenant) =>
        KnownNowMs(tenant) ?? (await grains.GetGrain<ITenantGrain>(tenant).GetNow()).NowMs;

    /// <summary>The tenant's now, and a call for its active users of that day (the adoption ratios'
    /// denominators). A wall-clock tenant's now is known here, so the call runs while the query
    /// asks its features: the tenant grain, which takes every partition's roll-up, is no longer a
    /// queue to wait in before theirs. An event-clock tenant's grain answers both first.</summary>
    private async ValueTask<(long NowMs, Task<ActiveUsers> Active)> NowAndActiveUsersAsync(string tenant)
    {
        var tenantGrain = grains.GetGrain<ITenantGrain>(tenant);
        if (KnownNowMs(tenant) is { } known)
        {
            return (known, tenantGrain.GetActiveUsers(known));
        }

        var now = await tenantGrain.GetNow();
        return (now.NowMs, Task.FromResult(now.Active));
    }

    /// <summary>The tenant's now when the gateway can tell it: a wall-clock tenant's is the time of
    /// the query. Null for an event-clock tenant, whose now is its latest event, which its grain knows.</summary>
    private long? KnownNowMs(string tenant) =>
        tenants.SettingsOf(tenant).Clock == TenantClock.Wall ? time.GetUtcNow().ToUnixTimeMilliseconds() : null;

    private async Task<TenantOverview> OverviewAsync(string tenant, GetOverviewRequest request) =>
        await grains.GetGrain<ITenantGrain>(tenant).GetOverview(RangeOf(request.From, request.To, await NowMsAsync(tenant)));

    private static TimeRange RangeOf(Timestamp? from, Timestamp? to, long nowMs)
    {
        var defaults = TimeRange.DaysEndingAt(nowMs, DefaultRangeDays);
        var fromMs = from is null ? (to is null ? defaults.FromMs : Ms(to, "to") - (DefaultRangeDays * TimeBuckets.MsPerDay)) : Ms(from, "from");
        var toMs = to is null ? (from is null ? defaults.ToMs : fromMs + (DefaultRangeDays * TimeBuckets.MsPerDay)) : Ms(to, "to");

        // A defaulted end can fall outside the years a Timestamp holds (30 days before a `to` in
        // 0001, after a `from` in 9999), where no event can lie and no day can be answered.
        fromMs = Math.Max(fromMs, ClockSkew.MinMs);
        toMs = Math.Min(toMs, ClockSkew.MaxMs + 1);
        if (toMs <= fromMs)
        {
            // Without a from, only a to at the earliest time leaves nothing before it.
            throw new RequestValidationException(new ValidationFailure("to", from is null
                ? "must be after 0001-01-01T00:00:00Z, the earliest time a range can start"
                : "must be after from"));
        }

        if (toMs - fromMs > TimeRange.MaxDays * TimeBuckets.MsPerDay)
        {
            throw new RequestValidationException(new ValidationFailure("to", $"the range may span at most {TimeRange.MaxDays} days"));
        }

        return new TimeRange(fromMs, toMs);
    }

    private static long Ms(Timestamp timestamp, string field)
    {
        try
        {
            return timestamp.ToDateTimeOffset().ToUnixTimeMilliseconds();
        }
        catch (InvalidOperationException)
        {
            throw new RequestValidationException(new ValidationFailure(field, "is not a valid timestamp"));
        }
    }

    private void RequireId(string field, string value)
    {
        if (EventValidator.Id(field, value, limits.Value, required: true) is { } failure)
        {
            throw new RequestValidationException(failure);
        }
    }
}

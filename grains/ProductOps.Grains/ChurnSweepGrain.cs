using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;

namespace ProductOps.Grains;

/// <summary>
/// Rescores every user of a tenant, <see cref="ChurnOptions.SweepConcurrency"/> at a time, when
/// the tenant clock has entered a new day, the active model changed or the alert threshold
/// changed since the last sweep. Each user is asked to score with the model version and judge
/// with the threshold this sweep read (its silo may not have seen either yet), and the sweep is
/// complete only once every user confirmed it: users that failed or still held another model
/// are asked again, at once and then at each check, until none is left.
/// What was swept is kept in memory only: a new activation (after a restart or a lost silo)
/// sweeps once more, which also refills index scores a crash lost.
/// </summary>
public sealed partial class ChurnSweepGrain(
    ActiveModelCache models,
    TenantDirectory tenants,
    IOptions<ChurnOptions> churn,
    IOptions<PipelineOptions> pipeline,
    ILogger<ChurnSweepGrain> logger)
    : Grain, IChurnSweepGrain
{
    private const int PageSize = 1000;
    private ChurnSweepStatus _status = new(0, 0, 0, 0, 0);

    // A sweep that is not complete: what it asks of users, and those that have not confirmed it.
    private Target? _pending;
    private List<string> _unconfirmed = [];
    private int _confirmed;

    private string Tenant => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var period = churn.Value.SweepCheckInterval;
        this.RegisterGrainTimer(static (grain, ct) => grain.CheckAsync(ct), this, new GrainTimerCreationOptions(TimeSpan.Zero, period) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public Task Start() => Task.CompletedTask;

    public async Task<ChurnSweepStatus> GetStatus()
    {
        var model = await models.GetAsync(Tenant);
        return _status with { ActiveModelVersion = model?.Version ?? 0 };
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        var model = await models.GetAsync(Tenant, cancellationToken);
        if (model is null)
        {
            return;
        }

        var nowMs = (await GrainFactory.GetGrain<ITenantGrain>(Tenant).GetNow()).NowMs;
        var threshold = tenants.SettingsOf(Tenant).AlertThreshold;
        if (model.Version == _status.SweptModelVersion
            && TimeBuckets.DayOf(nowMs) == TimeBuckets.DayOf(_status.SweptAtMs)
            && threshold == _status.SweptAlertThreshold)
        {
            return;
        }

        var target = new Target(model.Version, TimeBuckets.DayOf(nowMs), threshold);
        if (_pending != target)
        {
            // A new sweep: every user, at this now. (One left incomplete for another model, day or
            // threshold is superseded: this one rescores everyone anyway.)
            _pending = target;
            _confirmed = 0;
            _unconfirmed = await RescoreAllAsync(new RescoreRequest(nowMs, model.Version, threshold), cancellationToken);
        }

        if (_unconfirmed.Count > 0)
        {
            // A user answers with another model only when the registry's active one is not the
            // one this silo's view holds: read it now, and start over with it if it moved.
            if ((await models.RefreshAsync(Tenant, cancellationToken))?.Version != model.Version)
            {
                _pending = null;
                return;
            }

            // The others failed (their silo just left, a call timed out): asked again.
            _unconfirmed = await RescoreAsync(_unconfirmed, new RescoreRequest(nowMs, model.Version, threshold), cancellationToken);
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return; // deactivating: the users not reached are not in the list, and what was swept is forgotten anyway
        }

        if (_unconfirmed.Count > 0)
        {
            LogSweepIncomplete(logger, Tenant, _unconfirmed.Count, _confirmed, model.Version);
            return; // the next check asks them again (or starts over, if the target moved)
        }

        _pending = null;
        _status = new ChurnSweepStatus(model.Version, model.Version, nowMs, _confirmed, threshold);
        LogSwept(logger, Tenant, _confirmed, model.Version, threshold, nowMs);
    }

    /// <summary>Asks every user of every shard; returns those that did not confirm.</summary>
    private async Task<List<string>> RescoreAllAsync(RescoreRequest request, CancellationToken cancellationToken)
    {
        var unconfirmed = new List<string>();
        foreach (var shard in ChurnIndexKeys.ShardsOf(GrainFactory, Tenant, pipeline.Value.Partitions))
        {
            var after = string.Empty;
            while (!cancellationToken.IsCancellationRequested)
            {
                var page = await shard.Page(after, PageSize);
                unconfirmed.AddRange(await RescoreAsync([.. page.Select(e => e.UserId)], request, cancellationToken));
                if (page.Count < PageSize)
                {
                    break;
                }

                after = page[^1].UserId;
            }
        }

        return unconfirmed;
    }

    /// <summary>Asks the users, <see cref="ChurnOptions.SweepConcurrency"/> at a time; returns
    /// those that did not confirm.</summary>
    private async Task<List<string>> RescoreAsync(IReadOnlyList<string> users, RescoreRequest request, CancellationToken cancellationToken)
    {
        var unconfirmed = new List<string>();
        foreach (var group in users.Chunk(churn.Value.SweepConcurrency))
        {
            if (cancellationToken.IsCancellationRequested)
            {
                unconfirmed.AddRange(group);
                continue;
            }

            var results = await Task.WhenAll(group.Select(userId => RescoreAsync(userId, request)));
            for (var i = 0; i < group.Length; i++)
            {
                if (results[i])
                {
                    _confirmed++;
                }
                else
                {
                    unconfirmed.Add(group[i]);
                }
            }
        }

        return unconfirmed;
    }

    private async Task<bool> RescoreAsync(string userId, RescoreRequest request)
    {
        try
        {
            return await GrainReferences.Get<IUserGrain>(GrainFactory, Tenant, userId).Rescore(request);
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            LogRescoreFailed(logger, e, Tenant, userId);
            return false;
        }
    }

    /// <summary>What a sweep brings every user to: the model, the tenant-clock day, the threshold.</summary>
    private sealed record Target(int ModelVersion, int Day, double AlertThreshold);

    [LoggerMessage(Level = LogLevel.Information, Message = "Churn sweep of {Tenant}: {Users} users rescored with model {Version} and alert threshold {Threshold} at tenant time {NowMs}")]
    private static partial void LogSwept(ILogger logger, string tenant, int users, int version, double threshold, long nowMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Churn sweep of {Tenant} incomplete: {Unconfirmed} users not yet rescored with model {Version} ({Confirmed} done); asking them again at the next check")]
    private static partial void LogSweepIncomplete(ILogger logger, string tenant, int unconfirmed, int confirmed, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Churn sweep of {Tenant}: rescoring {UserId} failed")]
    private static partial void LogRescoreFailed(ILogger logger, Exception exception, string tenant, string userId);
}

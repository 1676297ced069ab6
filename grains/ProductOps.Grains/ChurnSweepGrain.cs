using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// Rescores every user of a tenant, <see cref="ChurnOptions.SweepConcurrency"/> at a time, when
/// the tenant clock has entered a new day or the active model changed since the last sweep.
/// What was swept is kept in memory only: a new activation (after a restart or a lost silo)
/// sweeps once more, which also refills index scores a crash lost.
/// </summary>
public sealed partial class ChurnSweepGrain(
    ActiveModelCache models,
    IOptions<ChurnOptions> churn,
    IOptions<PipelineOptions> pipeline,
    ILogger<ChurnSweepGrain> logger)
    : Grain, IChurnSweepGrain
{
    private const int PageSize = 1000;
    private ChurnSweepStatus _status = new(0, 0, 0, 0);

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
        if (model.Version == _status.SweptModelVersion && TimeBuckets.DayOf(nowMs) == TimeBuckets.DayOf(_status.SweptAtMs))
        {
            return;
        }

        var (swept, failed) = await SweepAsync(nowMs, cancellationToken);
        if (failed > 0)
        {
            LogSweepIncomplete(logger, Tenant, failed, swept);
            return; // the next check sweeps again
        }

        _status = new ChurnSweepStatus(model.Version, model.Version, nowMs, swept);
        LogSwept(logger, Tenant, swept, model.Version, nowMs);
    }

    private async Task<(int Swept, int Failed)> SweepAsync(long nowMs, CancellationToken cancellationToken)
    {
        int swept = 0, failed = 0;
        foreach (var shard in ChurnIndexKeys.ShardsOf(GrainFactory, Tenant, pipeline.Value.Partitions))
        {
            var after = string.Empty;
            while (!cancellationToken.IsCancellationRequested)
            {
                var page = await shard.Page(after, PageSize);
                foreach (var group in page.Chunk(churn.Value.SweepConcurrency))
                {
                    var results = await Task.WhenAll(group.Select(e => RescoreAsync(e.UserId, nowMs)));
                    swept += results.Count(ok => ok);
                    failed += results.Count(ok => !ok);
                }

                if (page.Count < PageSize)
                {
                    break;
                }

                after = page[^1].UserId;
            }
        }

        return (swept, failed);
    }

    private async Task<bool> RescoreAsync(string userId, long nowMs)
    {
        try
        {
            await GrainReferences.Get<IUserGrain>(GrainFactory, Tenant, userId).Rescore(nowMs);
            return true;
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            LogRescoreFailed(logger, e, Tenant, userId);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Churn sweep of {Tenant}: {Users} users rescored with model {Version} at tenant time {NowMs}")]
    private static partial void LogSwept(ILogger logger, string tenant, int users, int version, long nowMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Churn sweep of {Tenant} incomplete: {Failed} users failed, {Swept} rescored; retrying at the next check")]
    private static partial void LogSweepIncomplete(ILogger logger, string tenant, int failed, int swept);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Churn sweep of {Tenant}: rescoring {UserId} failed")]
    private static partial void LogRescoreFailed(ILogger logger, Exception exception, string tenant, string userId);
}

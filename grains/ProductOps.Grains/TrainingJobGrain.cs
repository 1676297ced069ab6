using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Grains.Abstractions.Training;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// A tenant's churn-model training, one job at a time. The job runs on the thread pool, off the
/// grain's turn, so the grain keeps answering progress reads; it outlives the caller that started
/// it and keeps the grain active while it runs. The job is stored as running when it starts and
/// with its outcome when it ends, so one cut short by a silo crash reads as interrupted on the
/// next activation instead of running forever.
/// </summary>
public sealed partial class TrainingJobGrain(
    [PersistentState("training", StorageSiloBuilderExtensions.GrainStorageName)] IPersistentState<TrainingJobState> state,
    TrainingJobRunner runner,
    TimeProvider time,
    IOptions<TrainingOptions> options,
    ILogger<TrainingJobGrain> logger)
    : Grain, ITrainingJobGrain, IDisposable
{
    private const string Interrupted = "interrupted: the silo running the job stopped before it finished; start it again";
    private TrainingProgress? _progress;
    private CancellationTokenSource? _cancel;
    private Task? _running;

    private string Tenant => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Last is { IsFinished: false } orphan)
        {
            await FinishAsync(orphan with { Status = TrainingStatus.Failed, Phase = "interrupted", Error = Interrupted });
        }
    }

    public async Task<TrainingJob> Start()
    {
        if (Current() is { IsFinished: false } running)
        {
            return running; // one at a time per tenant
        }

        var previous = (state.State.JobsStarted, state.State.Last);
        var job = new TrainingJob(
            $"{Tenant}-{previous.JobsStarted + 1}", TrainingStatus.Queued, "queued", 0, 0, 0, 0, NowMs(), null, string.Empty, null, false);
        (state.State.JobsStarted, state.State.Last) = (previous.JobsStarted + 1, job);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            (state.State.JobsStarted, state.State.Last) = previous; // not stored: not started
            throw;
        }

        _progress = new TrainingProgress();
        _cancel = new CancellationTokenSource();
        this.DelayDeactivation(options.Value.MaxJobDuration);
        _running = RunAsync(job, _progress, _cancel.Token);
        LogJobStarted(logger, job.JobId);
        return Current()!;
    }

    public Task<TrainingJob?> Get(string jobId) =>
        Task.FromResult(Current() is { } job && string.Equals(job.JobId, jobId, StringComparison.Ordinal) ? job : null);

    public Task<TrainingJob?> GetLatest() => Task.FromResult(Current());

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_running is { IsCompleted: false } running)
        {
            // A graceful stop: ask the job to stop at its next step and let it record the outcome.
            // If it cannot within the stop's bound, the next activation marks it interrupted.
            await _cancel!.CancelAsync();
            try
            {
                await running.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                LogJobAbandoned(logger, state.State.Last?.JobId ?? string.Empty);
            }
        }
    }

    private async Task RunAsync(TrainingJob job, TrainingProgress progress, CancellationToken cancellationToken)
    {
        TrainingJob finished;
        try
        {
            // The settings grain is the authority; this silo's directory may lag a change by seconds.
            var settings = await GrainFactory.GetGrain<ITenantSettingsGrain>(Tenant).Get();
            state.State.Last = job with { Status = TrainingStatus.Running };
            var tenant = Tenant;
            var model = await Task.Run(() => runner.RunAsync(tenant, settings, progress, cancellationToken), cancellationToken);
            finished = progress.ApplyTo(job) with { Status = TrainingStatus.Succeeded, ModelVersion = model.Version, Activated = model.Activated };
        }
        catch (NotEnoughDataException e)
        {
            finished = progress.ApplyTo(job) with { Status = TrainingStatus.NotEnoughData, Phase = "not enough data", Error = e.Message };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            finished = progress.ApplyTo(job) with { Status = TrainingStatus.Failed, Phase = "interrupted", Error = Interrupted };
        }
        catch (Exception e)
        {
            LogJobFailed(logger, e, job.JobId);
            finished = progress.ApplyTo(job) with { Status = TrainingStatus.Failed, Phase = "failed", Error = e.Message };
        }

        _progress = null;
        _cancel?.Dispose();
        _cancel = null;
        try
        {
            await FinishAsync(finished);
        }
        catch (Exception e)
        {
            // The outcome is kept in memory; if the grain goes before a later write, the stored
            // job reads as interrupted on its next activation.
            LogOutcomeNotStored(logger, e, finished.JobId);
        }

        LogJobFinished(logger, finished.JobId, finished.Status, finished.ModelVersion, finished.Activated);
        this.DelayDeactivation(TimeSpan.FromMilliseconds(-1)); // back to the usual idle collection
    }

    private async Task FinishAsync(TrainingJob job)
    {
        state.State.Last = job with { FinishedAtMs = NowMs() };
        await state.WriteStateAsync();
    }

    /// <summary>The stored job, with live progress while it runs.</summary>
    private TrainingJob? Current() => state.State.Last is { } last && _progress is { } progress ? progress.ApplyTo(last) : state.State.Last;

    public void Dispose() => _cancel?.Dispose();

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} started")]
    private static partial void LogJobStarted(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} ended {Status}; model version {Version}, activated {Activated}")]
    private static partial void LogJobFinished(ILogger logger, string jobId, TrainingStatus status, int? version, bool activated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId} did not stop in time; it will read as interrupted")]
    private static partial void LogJobAbandoned(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId}: its outcome could not be stored")]
    private static partial void LogOutcomeNotStored(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training job {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, string jobId);
}

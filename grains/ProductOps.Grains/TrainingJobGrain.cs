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
/// The grain also owns the tenant's activations: a job's automatic one and an operator's by hand
/// take turns on one lock, so an operator's choice made while a job finishes is never overwritten
/// by that job, and an activation by hand holds automatic activation for scheduled jobs.
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

    // The job's continuations and the grain's requests interleave on the activation (the job is
    // no request), so what must not interleave takes these: activations, and state writes.
    private readonly SemaphoreSlim _activation = new(1, 1);
    private readonly SemaphoreSlim _writes = new(1, 1);
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

    public Task<TrainingJob> Start() => StartAsync(scheduled: false);

    public Task<TrainingJob> StartScheduled() => StartAsync(scheduled: true);

    public Task<TrainingJob?> Get(string jobId) =>
        Task.FromResult(Current() is { } job && string.Equals(job.JobId, jobId, StringComparison.Ordinal) ? job : null);

    public Task<TrainingJob?> GetLatest() => Task.FromResult(Current());

    public async Task<bool> ActivateByHand(int version)
    {
        await _activation.WaitAsync();
        try
        {
            if (!await runner.ExistsAsync(Tenant, version))
            {
                return false;
            }

            // Held before activating: a failure in between leaves the hold on and the old model
            // active, which a retry mends; the other order could leave the operator's choice
            // unprotected from the next scheduled training.
            await StoreHoldAsync(new AutoActivationHold(version, NowMs()));
            await runner.ActivateAsync(Tenant, version);
            LogActivatedByHand(logger, Tenant, version);
            return true;
        }
        finally
        {
            _activation.Release();
        }
    }

    public Task<AutoActivationHold?> GetAutoActivationHold() => Task.FromResult(state.State.Hold);

    public async Task ResumeAutoActivation()
    {
        await _activation.WaitAsync();
        try
        {
            if (state.State.Hold is not { } previous)
            {
                return;
            }

            await StoreHoldAsync(null);
            LogAutoActivationResumed(logger, Tenant, previous.Version);
        }
        finally
        {
            _activation.Release();
        }
    }

    /// <summary>Makes <paramref name="hold"/> the stored hold; a write that fails leaves the one before.</summary>
    private async Task StoreHoldAsync(AutoActivationHold? hold)
    {
        var previous = state.State.Hold;
        state.State.Hold = hold;
        try
        {
            await WriteStateAsync();
        }
        catch
        {
            state.State.Hold = previous; // not stored: as it was
            throw;
        }
    }

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

    private async Task<TrainingJob> StartAsync(bool scheduled)
    {
        if (Current() is { IsFinished: false } running)
        {
            return running; // one at a time per tenant
        }

        var previous = (state.State.JobsStarted, state.State.Last);
        var job = new TrainingJob(
            $"{Tenant}-{previous.JobsStarted + 1}", TrainingStatus.Queued, "queued", 0, 0, 0, 0, NowMs(), null, string.Empty, null, false, Scheduled: scheduled);
        (state.State.JobsStarted, state.State.Last) = (previous.JobsStarted + 1, job);
        try
        {
            await WriteStateAsync();
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
        LogJobStarted(logger, job.JobId, scheduled);
        return Current()!;
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

            // Stored: from here on the job succeeded, whatever becomes of the activation.
            var check = await ActivateIfItWinsAsync(model, job);
            progress.Report("done", 1);
            finished = progress.ApplyTo(job) with
            {
                Status = TrainingStatus.Succeeded,
                ModelVersion = model.Version,
                Activated = check.Decision == ActivationDecision.Activated,
                Activation = check,
            };
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
            finished = progress.ApplyTo(job) with { Status = TrainingStatus.Failed, Phase = "failed", Error = Failed("training", e, job.JobId) };
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

        LogJobFinished(logger, finished.JobId, finished.Status, finished.ModelVersion, finished.Activation?.Decision ?? ActivationDecision.None);
        this.DelayDeactivation(TimeSpan.FromMilliseconds(-1)); // back to the usual idle collection
    }

    /// <summary>Decides (<see cref="ModelActivationPolicy"/>) and activates a stored model that
    /// wins; never throws, as the model is stored whatever happens here.</summary>
    private async Task<ActivationCheck> ActivateIfItWinsAsync(TrainedModel model, TrainingJob job)
    {
        await _activation.WaitAsync();
        try
        {
            var hold = state.State.Hold;
            var verdict = ModelActivationPolicy.Decide(
                model.Result, model.Active, job.Scheduled && hold is not null ? new ActivationHold(hold.Version, hold.SinceMs) : null);
            var check = new ActivationCheck(
                DecisionOf(verdict.Outcome),
                verdict.Reason,
                model.Result.Model.Auc,
                model.Result.Baseline.Auc,
                model.Active?.Version,
                model.Active?.Metrics?.Auc,
                model.Active?.NotEvaluatedReason ?? string.Empty,
                hold);
            if (!verdict.Activate)
            {
                return check;
            }

            try
            {
                // Every activation through the API takes the lock, so this is what the job judged
                // unless the registry was changed behind the API's back.
                var activeNow = await runner.ActiveVersionAsync(Tenant);
                if (activeNow != model.Active?.Version)
                {
                    return check with
                    {
                        Decision = ActivationDecision.ActiveChanged,
                        Reason = $"not activated: the active model changed from {Describe(model.Active?.Version)} to {Describe(activeNow)} while the job ran, and the newer choice was kept (the job had found: {verdict.Comparison})",
                    };
                }

                await runner.ActivateAsync(Tenant, model.Version);
                return check;
            }
            catch (Exception e)
            {
                LogActivationFailed(logger, e, job.JobId, model.Version);
                return check with
                {
                    Decision = ActivationDecision.ActivationFailed,
                    Reason = $"not activated: it won ({verdict.Comparison}), but {Failed("activating it", e, job.JobId)}",
                };
            }
        }
        finally
        {
            _activation.Release();
        }
    }

    private static ActivationDecision DecisionOf(ActivationOutcome outcome) => outcome switch
    {
        ActivationOutcome.Activate => ActivationDecision.Activated,
        ActivationOutcome.NotBetterThanBaseline => ActivationDecision.NotBetterThanBaseline,
        ActivationOutcome.NotBetterThanActive => ActivationDecision.NotBetterThanActive,
        ActivationOutcome.Held => ActivationDecision.Held,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "No such activation outcome."),
    };

    /// <summary>What the tenant reads of a failure it did not cause: the exception's type, never
    /// its message, which can name paths, hosts, SQL or other tenants' data; the log has it all.</summary>
    private static string Failed(string what, Exception e, string jobId) =>
        $"{what} failed ({e.GetType().Name}); the silo's log has the details under job {jobId}";

    private static string Describe(int? version) => version is { } v ? $"version {v}" : "none";

    private async Task FinishAsync(TrainingJob job)
    {
        state.State.Last = job with { FinishedAtMs = NowMs() };
        await WriteStateAsync();
    }

    private async Task WriteStateAsync()
    {
        await _writes.WaitAsync();
        try
        {
            await state.WriteStateAsync();
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>The stored job, with live progress while it runs.</summary>
    private TrainingJob? Current() => state.State.Last is { } last && _progress is { } progress ? progress.ApplyTo(last) : state.State.Last;

    public void Dispose()
    {
        _cancel?.Dispose();
        _activation.Dispose();
        _writes.Dispose();
    }

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} started (scheduled {Scheduled})")]
    private static partial void LogJobStarted(ILogger logger, string jobId, bool scheduled);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training job {JobId} ended {Status}; model version {Version}, activation {Decision}")]
    private static partial void LogJobFinished(ILogger logger, string jobId, TrainingStatus status, int? version, ActivationDecision decision);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: version {Version} activated by hand; automatic activation held")]
    private static partial void LogActivatedByHand(ILogger logger, string tenant, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Tenant {Tenant}: automatic activation resumed (it was held for version {Version})")]
    private static partial void LogAutoActivationResumed(ILogger logger, string tenant, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId}: activating the stored model version {Version} failed")]
    private static partial void LogActivationFailed(ILogger logger, Exception exception, string jobId, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId} did not stop in time; it will read as interrupted")]
    private static partial void LogJobAbandoned(ILogger logger, string jobId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Training job {JobId}: its outcome could not be stored")]
    private static partial void LogOutcomeNotStored(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training job {JobId} failed")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, string jobId);
}

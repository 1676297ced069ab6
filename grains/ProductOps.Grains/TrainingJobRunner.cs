using System.Globalization;
using Microsoft.Extensions.Options;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// One training of a tenant's churn model, from the log to the registry. The log is read twice,
/// a partition at a time: first for the range of event time (which fixes the cutoffs), then to
/// build each partition's users' examples, dropping their events before the next partition. The
/// active model is judged on the new model's holdout, then the new model is stored; whether it
/// becomes active is the job grain's decision (<see cref="ModelActivationPolicy"/>), taken in
/// turn with operators' activations.
/// </summary>
public sealed class TrainingJobRunner(
    IEventLog log,
    IModelStore store,
    ActiveModelCache activeModels,
    TimeProvider time,
    IOptions<PipelineOptions> pipeline,
    IOptions<TrainingOptions> options)
{
    // Shares of the progress fraction: scan, examples, training and storing.
    private const double ScanShare = 0.2;
    private const double ExamplesShare = 0.6;

    internal async Task<TrainedModel> RunAsync(string tenant, TenantSettings settings, TrainingProgress progress, CancellationToken cancellationToken)
    {
        var partitions = pipeline.Value.Partitions;
        var reader = new TenantHistoryReader(log, tenant, options.Value.LogPageSize);
        var heads = new long[partitions];
        for (var p = 0; p < partitions; p++)
        {
            heads[p] = await log.GetHeadAsync(p, cancellationToken);
        }

        var range = new EventTimeRange();
        long events = 0;
        for (var p = 0; p < partitions; p++)
        {
            progress.Report(Phase("scanning", p, partitions), ScanShare * p / partitions);
            events += await reader.ScanAsync(p, heads[p], range, cancellationToken);
        }

        if (range.IsEmpty)
        {
            throw new NotEnoughDataException($"The log holds no usage events of tenant '{tenant}' ({events} events in all).");
        }

        // The end of the data is the tenant clock: wall time, or the latest event for the event clock.
        var nowMs = settings.Clock == TenantClock.Event ? range.ToMs : time.GetUtcNow().ToUnixTimeMilliseconds();
        var rules = settings.ToRules();
        var accumulator = new TrainingSetAccumulator(
            TrainingSetBuilder.CutoffsFor(range.FromMs, nowMs, settings.ChurnHorizonDays, options.Value.Cutoffs), rules);
        if (accumulator.CutoffsMs.Count >= 2)
        {
            for (var p = 0; p < partitions; p++)
            {
                progress.Report(Phase("building examples", p, partitions), ScanShare + (ExamplesShare * p / partitions));
                var users = await reader.ReadUsersAsync(p, heads[p], cancellationToken);
                var before = accumulator.Count;
                foreach (var user in users)
                {
                    accumulator.Add(user);
                }

                progress.AddRead(users.Count, users.Sum(u => (long)u.Events.Count), accumulator.Count - before);
            }
        }

        var set = accumulator.ToSet(range.FromMs, range.ToMs);
        progress.Report($"training on {set.Examples.Count.ToString("N0", CultureInfo.InvariantCulture)} examples", ScanShare + ExamplesShare);
        cancellationToken.ThrowIfCancellationRequested();
        ChurnTrainingResult result;
        try
        {
            result = ChurnTrainer.Train(set, TrainerOptionsFor(settings));
        }
        catch (NotEnoughDataException e)
        {
            throw new NotEnoughDataException(
                $"{e.Message} (read {events} events of tenant '{tenant}', {set.Examples.Count} examples over {set.CutoffsMs.Count} cutoffs, {accumulator.Churned} of them churned)", e);
        }

        progress.Report("judging the active model on the holdout", 0.9);
        var active = await EvaluateActiveAsync(tenant, set, result, cancellationToken);

        progress.Report("storing the model", 0.95);
        var info = await store.AddAsync(tenant, result, set, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        return new TrainedModel(info.Version, result, active);
    }

    /// <summary>The tenant's active version, or null.</summary>
    internal Task<int?> ActiveVersionAsync(string tenant) => store.GetActiveVersionAsync(tenant);

    /// <summary>Whether the tenant has the version stored.</summary>
    internal async Task<bool> ExistsAsync(string tenant, int version) => await store.GetAsync(tenant, version) is not null;

    /// <summary>Makes the version active; this silo serves it at once, the others within their refresh interval.</summary>
    /// <exception cref="KeyNotFoundException">The tenant has no such version.</exception>
    internal async Task ActivateAsync(string tenant, int version)
    {
        await store.ActivateAsync(tenant, version);
        activeModels.Invalidate(tenant);
    }

    private async Task<ActiveModelEvaluation?> EvaluateActiveAsync(string tenant, TrainingSet set, ChurnTrainingResult result, CancellationToken cancellationToken)
    {
        if (await store.GetActiveVersionAsync(tenant, cancellationToken) is not { } version)
        {
            return null;
        }

        if (await store.GetAsync(tenant, version, cancellationToken) is not { } info)
        {
            return ActiveModelEvaluation.NotEvaluated(version, "its record is missing from the registry");
        }

        var bytes = await store.GetModelBytesAsync(tenant, version, cancellationToken);
        return ModelActivationPolicy.EvaluateActive(info, bytes, set, result.ValidationFromMs);
    }

    private ChurnTrainingOptions TrainerOptionsFor(TenantSettings settings)
    {
        var configured = options.Value.Trainer;
        return new ChurnTrainingOptions
        {
            ValidationShare = configured.ValidationShare,
            MinChurned = settings.MinChurned,
            MinRetained = settings.MinRetained,
            NumberOfTrees = configured.NumberOfTrees,
            NumberOfLeaves = configured.NumberOfLeaves,
            MinimumExampleCountPerLeaf = configured.MinimumExampleCountPerLeaf,
            LearningRate = configured.LearningRate,
            Seed = configured.Seed,
        };
    }

    private static string Phase(string what, int partition, int partitions) =>
        string.Create(CultureInfo.InvariantCulture, $"{what}: partition {partition + 1} of {partitions}");
}

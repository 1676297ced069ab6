using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;
using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>
/// Trains a FastTree model (Platt-calibrated probabilities) on the earlier cutoffs and validates
/// it, and a recency-only logistic baseline, on the latest cutoffs: a time split, never random.
/// Training examples whose label window reaches into the holdout are dropped, so no label of the
/// training set saw a day the holdout is judged on.
/// </summary>
public static class ChurnTrainer
{
    public const string TrainerName = "FastTree";

    /// <summary>The parameter that records the behaviour features a model was trained on, in order.</summary>
    public const string FeaturesParameter = "features";

    /// <summary>The behaviour features this version computes, as <see cref="FeaturesParameter"/> records them.</summary>
    public static string BehaviourFeatureList { get; } = string.Join(',', ChurnFeatures.Names.Take(ChurnFeatures.BehaviourCount));

    /// <summary>Trains and validates.</summary>
    /// <exception cref="NotEnoughDataException">Too few cutoffs or too few churned or retained examples.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of its range (see <see cref="ChurnTrainingOptions.Validate"/>).</exception>
    public static ChurnTrainingResult Train(TrainingSet set, ChurnTrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        if (set.CutoffsMs.Count < 2)
        {
            throw new NotEnoughDataException(TooShortForCutoffs(set));
        }

        var holdoutCutoffs = HoldoutCutoffs(set.CutoffsMs.Count, options);
        var validationFrom = set.CutoffsMs[set.CutoffsMs.Count - holdoutCutoffs];
        var horizonMs = set.HorizonDays * TimeBuckets.MsPerDay;
        var train = set.Examples.Where(e => e.CutoffMs + horizonMs <= validationFrom).ToList();
        var validation = Holdout(set, validationFrom);
        if (set.CutoffsMs[0] + horizonMs > validationFrom)
        {
            throw new NotEnoughDataException(TooShortForTheSplit(set, options, holdoutCutoffs));
        }

        CheckEnough(train, options, "training");
        CheckEnough(validation, new ChurnTrainingOptions { MinChurned = 1, MinRetained = 1 }, "validation");

        // The trees' own Platt calibrator is fitted on the scores of the very examples they were
        // grown on, which makes it overconfident; the probabilities are recalibrated on one user
        // in five, whom the trees do not see, at the latest quarter of the training cutoffs (the
        // nearest the holdout's churn rate). The trees grow on every training cutoff: the latest
        // are the most like the holdout and serving time, and leaving them out cost up to 0.13
        // AUC on short simulated histories.
        var trainCutoffs = train.Select(e => e.CutoffMs).Distinct().Order().ToList();
        var calibrationFrom = trainCutoffs[Math.Min(trainCutoffs.Count - 1, (int)(trainCutoffs.Count * 0.75))];
        var fit = train.Where(e => !IsCalibrationUser(e.UserId)).ToList();
        var calibration = train.Where(e => IsCalibrationUser(e.UserId) && e.CutoffMs >= calibrationFrom).ToList();
        var setAside = BothClasses(fit) && BothClasses(calibration);
        if (!setAside)
        {
            // Too few users to set some aside: trees grown on one class score everyone alike.
            calibration = fit = train;
        }

        // Which traits become features is part of the fit: chosen over the holdout's rows too, the
        // slots would be picked partly by the examples the model is judged on.
        var traits = TraitSlotChooser.Choose(train);
        var ml = new MLContext(options.Seed);
        var trainView = View(ml, train, traits);
        var fitView = View(ml, fit, traits);
        var calibrationView = View(ml, calibration, traits);
        var validationView = View(ml, validation, traits);
        var labels = validation.Select(e => e.Churned).ToList();

        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = options.NumberOfTrees,
            NumberOfLeaves = options.NumberOfLeaves,
            MinimumExampleCountPerLeaf = options.MinimumExampleCountPerLeaf,
            LearningRate = options.LearningRate,
            Seed = options.Seed,
            NumberOfThreads = 1, // deterministic
        });
        var trees = trainer.Fit(fitView);
        var calibrator = ml.BinaryClassification.Calibrators.Platt().Fit(trees.Transform(calibrationView));
        ITransformer model = new TransformerChain<ITransformer>(trees, calibrator);
        var modelMetrics = ChurnMetrics.Compute(Probabilities(ml, model, validationView), labels);

        var baseline = ml.BinaryClassification.Trainers.LbfgsLogisticRegression(featureColumnName: nameof(ChurnRow.Recency))
            .Fit(trainView);
        var baselineMetrics = ChurnMetrics.Compute(Probabilities(ml, baseline, validationView), labels);

        using var stream = new MemoryStream();
        ml.Model.Save(model, trainView.Schema, stream);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["trees"] = options.NumberOfTrees.ToString(CultureInfo.InvariantCulture),
            ["leaves"] = options.NumberOfLeaves.ToString(CultureInfo.InvariantCulture),
            ["min_leaf_examples"] = options.MinimumExampleCountPerLeaf.ToString(CultureInfo.InvariantCulture),
            ["learning_rate"] = options.LearningRate.ToString(CultureInfo.InvariantCulture),
            ["calibrator"] = setAside
                ? "platt, on one user in five (not in the trees) at the latest quarter of the training cutoffs"
                : "platt, on the examples the trees grew on (too few users of each class to set some aside)",
            ["horizon_days"] = set.HorizonDays.ToString(CultureInfo.InvariantCulture),
            ["cutoffs"] = set.CutoffsMs.Count.ToString(CultureInfo.InvariantCulture),
            [FeaturesParameter] = BehaviourFeatureList,
            ["traits"] = string.Join(',', traits.Slots.Select(slot => $"{slot.Key}={slot.Value}")),
        };
        return new ChurnTrainingResult(
            ChurnModelPackage.Write(stream.ToArray(), traits), TrainerName, parameters, modelMetrics, baselineMetrics, train.Count, validation.Count, validationFrom);
    }

    /// <summary>The held-out examples: those at the cutoffs from <paramref name="validationFromMs"/>
    /// on (<see cref="ChurnTrainingResult.ValidationFromMs"/>), in the set's order.</summary>
    public static IReadOnlyList<ChurnExample> Holdout(TrainingSet set, long validationFromMs)
    {
        ArgumentNullException.ThrowIfNull(set);
        return [.. set.Examples.Where(e => e.CutoffMs >= validationFromMs)];
    }

    private static int HoldoutCutoffs(int cutoffs, ChurnTrainingOptions options) =>
        Math.Max(1, (int)Math.Round(cutoffs * options.ValidationShare));

    /// <summary>Why there are fewer than two cutoffs, with the length of the history: a cutoff also
    /// needs some history before it, so "the horizon plus two days" would mislead.</summary>
    private static string TooShortForCutoffs(TrainingSet set)
    {
        var days = TimeBuckets.DayOf(set.DataToMs) - TimeBuckets.DayOf(set.DataFromMs) + 1;
        return $"Not enough history: the usage events span {days} day(s), from {Day(set.DataFromMs)} to {Day(set.DataToMs)}, "
            + $"which leaves {set.CutoffsMs.Count} cutoff(s). Each cutoff needs the whole churn horizon (churn_horizon_days: "
            + $"{set.HorizonDays} days) of data after it and some history before it (the cutoff setting MinHistoryDays), "
            + "and training needs two cutoffs at least, more for its time split; a longer history or a shorter churn horizon.";
    }

    /// <summary>Why no cutoff is left to train on: each training example's label window must end
    /// before the holdout starts, so the cutoffs must span the horizon plus the holdout; and how
    /// many cutoffs (each one more step of history) would.</summary>
    private static string TooShortForTheSplit(TrainingSet set, ChurnTrainingOptions options, int holdoutCutoffs)
    {
        var cutoffs = set.CutoffsMs;
        var stepDays = (int)((cutoffs[1] - cutoffs[0]) / TimeBuckets.MsPerDay);
        var needed = cutoffs.Count;
        while ((needed - HoldoutCutoffs(needed, options)) * stepDays < set.HorizonDays)
        {
            needed++;
        }

        return $"Not enough history for training: of the {cutoffs.Count} cutoffs from {Day(cutoffs[0])} to {Day(cutoffs[^1])}, "
            + $"the latest {holdoutCutoffs} (from {Day(cutoffs[^holdoutCutoffs])}) are held out, and a training example's "
            + $"{set.HorizonDays}-day label window must end before them, which none of the earlier ones does. "
            + $"It takes {needed} cutoffs ({needed - cutoffs.Count} more, one every {stepDays} day(s) of history) "
            + "with this churn horizon; or a shorter horizon.";
    }

    private static string Day(long ms) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>One user in five, by a stable hash of the id, so a retrain on the same data splits alike.</summary>
    private static bool IsCalibrationUser(string userId) => (ulong)StableHash.Of(userId) % 5 == 0;

    private static bool BothClasses(List<ChurnExample> examples) =>
        examples.Exists(e => e.Churned) && examples.Exists(e => !e.Churned);

    private static void CheckEnough(IReadOnlyList<ChurnExample> examples, ChurnTrainingOptions options, string part)
    {
        var churned = examples.Count(e => e.Churned);
        var retained = examples.Count - churned;
        if (churned < options.MinChurned || retained < options.MinRetained)
        {
            throw new NotEnoughDataException(
                $"Not enough data for {part}: {churned} churned and {retained} retained examples; at least {options.MinChurned} churned and {options.MinRetained} retained are needed.");
        }
    }

    /// <summary>The examples as ML.NET rows, their trait slots filled with <paramref name="traits"/>:
    /// a copy made as each pass reads a row, so the set's vectors are left as they are and no
    /// second copy of them is held.</summary>
    private static IDataView View(MLContext ml, IEnumerable<ChurnExample> examples, TraitSlots traits) =>
        ml.Data.LoadFromEnumerable(examples.Select(e => ChurnRow.Of(traits.Fill(e.Features, e.Traits), e.Churned)));

    private static List<float> Probabilities(MLContext ml, ITransformer model, IDataView data) =>
        [.. ml.Data.CreateEnumerable<ProbabilityRow>(model.Transform(data), reuseRowObject: false).Select(p => p.Probability)];
}

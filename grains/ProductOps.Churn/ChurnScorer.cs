using System.Collections.Concurrent;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Trainers.FastTree;
using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>
/// A loaded model, ready to score: the model is deserialised once, and prediction engines (not
/// thread-safe, costly to create) are pooled, so a scoring costs microseconds. Thread-safe.
/// </summary>
public sealed class ChurnScorer
{
    private const int MaxReasons = 3;
    private readonly ITransformer _pipeline;
    private readonly ITransformer _model;
    private readonly MLContext _ml;
    private readonly ConcurrentBag<PredictionEngine<ChurnRow, ChurnPrediction>> _engines = [];
    private readonly ConcurrentBag<PredictionEngine<ChurnRow, ProbabilityRow>> _probabilityEngines = [];

    /// <summary>+1 when a higher tree score means a higher probability, -1 when lower, 0 when the
    /// probability ignores the score.</summary>
    private readonly int _riskDirection;

    private ChurnScorer(MLContext ml, ITransformer model, ITransformer pipeline, TraitSlots traits, int riskDirection)
    {
        _ml = ml;
        _model = model;
        _pipeline = pipeline;
        Traits = traits;
        _riskDirection = riskDirection;
    }

    /// <summary>The traits the model's trait slots stand for.</summary>
    public TraitSlots Traits { get; }

    /// <summary>The user's feature vector for this model: the same function the training set was
    /// built with, with this model's trait slots.</summary>
    public float[] FeaturesOf(UserActivity user, long asOfMs) => ChurnFeatures.Compute(user, asOfMs, Traits);

    /// <summary>A training-builder state's feature vector for this model, its trait slots filled.</summary>
    public float[] FeaturesOf(UserAtCutoff state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Traits.Fill(state.Features, state.Traits);
    }

    /// <summary>Loads a model saved by <see cref="ChurnTrainer"/> and adds the feature-contribution
    /// step that explains each score.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a churn model of this version.</exception>
    public static ChurnScorer Load(byte[] modelBytes)
    {
        ArgumentNullException.ThrowIfNull(modelBytes);
        var (zip, traits) = ChurnModelPackage.Read(modelBytes);
        var ml = new MLContext(seed: 1);
        using var stream = new MemoryStream(zip, writable: false);
        var model = ml.Model.Load(stream, out _);
        var predictor = (model as IEnumerable<ITransformer> ?? [model])
            .OfType<ISingleFeaturePredictionTransformer<CalibratedModelParametersBase<FastTreeBinaryModelParameters, PlattCalibrator>>>()
            .FirstOrDefault()
            ?? throw new InvalidDataException($"The model ({model.GetType()}) holds no trees that can explain its scores.");

        // Only the contributions of the sign that pushes the risk up, which the calibrator decides:
        // the others are never reasons, and keeping them costs every explained score.
        var direction = RiskDirection(model, predictor.Model.Calibrator);
        var explain = ml.Transforms.CalculateFeatureContribution(predictor,
                numberOfPositiveContributions: direction >= 0 ? ChurnFeatures.Count : 0,
                numberOfNegativeContributions: direction < 0 ? ChurnFeatures.Count : 0,
                normalize: false)
            .Fit(ml.Data.LoadFromEnumerable(new[] { ChurnRow.Of(new float[ChurnFeatures.Count]) }));
        return new ChurnScorer(ml, model, model.Append(explain), traits, direction);
    }

    /// <summary>Whether the trees' score and the probability rise together. Platt's probability is
    /// 1 / (1 + exp(slope * score + offset)), which rises with the score only for a negative
    /// slope; the slope is fitted on users the trees did not see and may come out positive. The
    /// last Platt calibrator in the chain sets the probability (the trainer's, after the trees' own).</summary>
    private static int RiskDirection(ITransformer model, PlattCalibrator treesOwn)
    {
        var last = (model as IEnumerable<ITransformer> ?? [model])
            .OfType<ISingleFeaturePredictionTransformer<PlattCalibrator>>()
            .LastOrDefault()?.Model ?? treesOwn;
        return -Math.Sign(last.Slope);
    }

    /// <summary>One user's probability alone: the cheap path for rescoring many users, where
    /// reasons are only needed for the few at risk (<see cref="Score"/>).</summary>
    public float Probability(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!_probabilityEngines.TryTake(out var engine))
        {
            engine = _ml.Model.CreatePredictionEngine<ChurnRow, ProbabilityRow>(_model);
        }

        try
        {
            return engine.Predict(ChurnRow.Of(features)).Probability;
        }
        finally
        {
            _probabilityEngines.Add(engine);
        }
    }

    /// <summary>Many users' probabilities in one pass, without reasons (judging a model on a holdout).</summary>
    public IReadOnlyList<float> Probabilities(IReadOnlyList<float[]> features)
    {
        ArgumentNullException.ThrowIfNull(features);
        var data = _ml.Data.LoadFromEnumerable(features.Select(f => ChurnRow.Of(f)));
        return [.. _ml.Data.CreateEnumerable<ProbabilityRow>(_model.Transform(data), reuseRowObject: false).Select(p => p.Probability)];
    }

    /// <summary>Scores one user's features and explains the score (costlier than
    /// <see cref="Probability"/>: feature contributions walk every tree).</summary>
    public ChurnScore Score(float[] features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (!_engines.TryTake(out var engine))
        {
            engine = _ml.Model.CreatePredictionEngine<ChurnRow, ChurnPrediction>(_pipeline);
        }

        try
        {
            var prediction = engine.Predict(ChurnRow.Of(features));
            return new ChurnScore(prediction.Probability, Reasons(features, prediction.FeatureContributions));
        }
        finally
        {
            _engines.Add(engine);
        }
    }

    /// <summary>The features that push the probability up most: their contributions to the trees'
    /// score, turned by the calibrator's direction.</summary>
    private List<ChurnReason> Reasons(float[] features, float[] contributions)
    {
        var top = new List<ChurnReason>(MaxReasons);
        for (var i = 0; i < contributions.Length && i < ChurnFeatures.Count; i++)
        {
            var push = _riskDirection * contributions[i];
            if (push <= 0)
            {
                continue;
            }

            var reason = new ChurnReason(ChurnFeatures.Names[i], features[i], push, ChurnFeatures.Describe(i, features[i], Traits));
            var at = top.FindIndex(r => r.Contribution < reason.Contribution);
            if (at < 0)
            {
                if (top.Count < MaxReasons)
                {
                    top.Add(reason);
                }
            }
            else
            {
                top.Insert(at, reason);
                if (top.Count > MaxReasons)
                {
                    top.RemoveAt(MaxReasons);
                }
            }
        }

        return top;
    }
}

namespace ProductOps.Churn;

/// <summary>How well probabilities rank and fit held-out labels.</summary>
/// <param name="Auc">Area under the ROC curve (ties count half).</param>
/// <param name="PrAuc">Area under the precision-recall curve (average precision).</param>
/// <param name="LogLoss">Mean negative log-likelihood (natural log), probabilities clamped to [1e-15, 1 - 1e-15].</param>
/// <param name="Brier">Mean squared error of the probabilities.</param>
/// <param name="TopDecileLift">Churn rate in the top 10% by probability over the overall churn rate
/// (scores tied across the decile's edge count by the share of them inside it).</param>
/// <param name="Examples">Number of examples.</param>
/// <param name="Positives">Number of churned examples.</param>
/// <param name="Calibration">Ten equal-width probability bins.</param>
public sealed record ChurnMetrics(
    double Auc,
    double PrAuc,
    double LogLoss,
    double Brier,
    double TopDecileLift,
    int Examples,
    int Positives,
    IReadOnlyList<CalibrationBin> Calibration)
{
    /// <summary>The least AUC gain that counts as ranking better: a thousandth, the precision every
    /// verdict, listing and report prints. Both AUCs are of the same held-out examples, so a model
    /// that ranks them alike ties exactly; a smaller gain is a few pairs of examples ranked the
    /// other way (or floating noise), a model no better in any way its figures could show, and
    /// activating it would swap models for nothing. It is no significance test: a bar large
    /// enough to stand for one would refuse the real but modest wins over recency (0.01-0.03 AUC
    /// measured; docs/architecture.md, Activation).</summary>
    public const double MinAucGain = 0.001;

    /// <summary>Whether these metrics rank better (AUC) than <paramref name="baseline"/>'s, by at
    /// least <see cref="MinAucGain"/>: the bar a model must clear to be activated. A tie or a
    /// near-tie does not, nor does a NaN on either side.</summary>
    public bool Beats(ChurnMetrics baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        return Auc - baseline.Auc >= MinAucGain; // false when either is NaN
    }

    /// <summary>Computes every metric of <paramref name="probabilities"/> against <paramref name="labels"/>.</summary>
    public static ChurnMetrics Compute(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count || labels.Count == 0)
        {
            throw new ArgumentException("Need as many labels as probabilities, at least one.", nameof(labels));
        }

        var n = labels.Count;
        var positives = labels.Count(l => l);
        var negatives = n - positives;
        var (auc, ap, topPositives) = Ranking(probabilities, labels);
        auc = positives == 0 || negatives == 0 ? 0.5 : auc / ((double)positives * negatives);
        ap = positives == 0 ? 0 : ap / positives;

        double logLoss = 0, brier = 0;
        for (var i = 0; i < n; i++)
        {
            var p = Math.Clamp(probabilities[i], 1e-15, 1 - 1e-15);
            var y = labels[i] ? 1.0 : 0.0;
            logLoss -= (y * Math.Log(p)) + ((1 - y) * Math.Log(1 - p));
            brier += (p - y) * (p - y);
        }

        var baseRate = (double)positives / n;
        var lift = baseRate == 0 ? 0 : topPositives / TopDecile(n) / baseRate;
        if (probabilities.Any(float.IsNaN))
        {
            // No probability for some examples: nothing can be said of the ranking (and a NaN
            // group never ends, so the loop above skips them).
            auc = ap = lift = double.NaN;
        }

        return new ChurnMetrics(auc, ap, logLoss / n, brier / n, lift, n, positives, Calibrate(probabilities, labels));
    }

    private static int TopDecile(int n) => Math.Max(1, n / 10);

    /// <summary>The AUC's sum of right pairs, the average precision's sum and the churned examples
    /// expected in the top decile, over groups of tied scores: a tie counts half a pair, adds its
    /// recall at its own precision, and shares the decile's edge in proportion, so no metric
    /// depends on the order of the examples. NaN scores are left out.</summary>
    private static (double RightPairs, double PrecisionSum, double TopPositives) Ranking(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        var order = Enumerable.Range(0, labels.Count).Where(i => !float.IsNaN(probabilities[i])).OrderByDescending(i => probabilities[i]).ToArray();
        var top = TopDecile(labels.Count);
        double auc = 0, ap = 0, topPositives = 0;
        var tp = 0;
        var fp = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            var groupPositives = 0;
            while (end < order.Length && probabilities[order[end]] == probabilities[order[start]])
            {
                groupPositives += labels[order[end]] ? 1 : 0;
                end++;
            }

            var groupNegatives = end - start - groupPositives;
            auc += groupNegatives * (tp + (groupPositives / 2.0));
            tp += groupPositives;
            fp += groupNegatives;
            if (groupPositives > 0)
            {
                ap += groupPositives * ((double)tp / (tp + fp));
            }

            topPositives += (double)groupPositives * Math.Max(0, Math.Min(end, top) - start) / (end - start);
            start = end;
        }

        return (auc, ap, topPositives);
    }

    private static List<CalibrationBin> Calibrate(IReadOnlyList<float> probabilities, IReadOnlyList<bool> labels)
    {
        var bins = new List<CalibrationBin>();
        for (var b = 0; b < 10; b++)
        {
            double low = b / 10.0, high = (b + 1) / 10.0;
            int count = 0, hits = 0;
            var sum = 0.0;
            for (var i = 0; i < probabilities.Count; i++)
            {
                var p = probabilities[i];
                if (p >= low && (p < high || (b == 9 && p <= 1)))
                {
                    count++;
                    sum += p;
                    hits += labels[i] ? 1 : 0;
                }
            }

            bins.Add(new CalibrationBin(low, high, count, count == 0 ? 0 : sum / count, count == 0 ? 0 : (double)hits / count));
        }

        return bins;
    }
}

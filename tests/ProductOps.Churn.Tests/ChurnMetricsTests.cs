namespace ProductOps.Churn.Tests;

public sealed class ChurnMetricsTests
{
    [Fact]
    public void Compute_PerfectRanking_AucOneAndFullLift()
    {
        float[] p = [0.9f, 0.8f, 0.3f, 0.2f, 0.1f, 0.05f, 0.04f, 0.03f, 0.02f, 0.01f];
        bool[] y = [true, true, false, false, false, false, false, false, false, false];

        var m = ChurnMetrics.Compute(p, y);

        Assert.Equal(1.0, m.Auc, 9);
        Assert.Equal(1.0, m.PrAuc, 9);
        Assert.Equal(5.0, m.TopDecileLift, 9); // top 1 of 10 is churned; base rate 0.2
        Assert.Equal(10, m.Calibration.Sum(b => b.Count));
    }

    [Fact]
    public void Compute_KnownValues_MatchHandComputation()
    {
        // Pairs (pos, neg): (0.8 > 0.6) (0.8 > 0.2) (0.4 < 0.6) (0.4 > 0.2) -> 3 of 4.
        float[] p = [0.8f, 0.6f, 0.4f, 0.2f];
        bool[] y = [true, false, true, false];

        var m = ChurnMetrics.Compute(p, y);

        Assert.Equal(0.75, m.Auc, 9);
        Assert.Equal((1.0 + (2.0 / 3.0)) / 2.0, m.PrAuc, 6); // precision at each positive: 1, 2/3
        var brier = ((0.2 * 0.2) + (0.6 * 0.6) + (0.6 * 0.6) + (0.2 * 0.2)) / 4;
        Assert.Equal(brier, m.Brier, 5);
        var logLoss = -(Math.Log(0.8) + Math.Log(0.4) + Math.Log(0.4) + Math.Log(0.8)) / 4;
        Assert.Equal(logLoss, m.LogLoss, 5);
    }

    [Fact]
    public void Compute_AllTied_AucIsHalf()
    {
        var m = ChurnMetrics.Compute([0.5f, 0.5f, 0.5f, 0.5f], [true, false, true, false]);

        Assert.Equal(0.5, m.Auc, 9);
    }

    [Theory]
    [InlineData(new[] { 0.9f, 0.7f, 0.7f, 0.7f, 0.4f, 0.4f, 0.2f, 0.1f }, new[] { true, false, true, true, false, true, false, false })]
    [InlineData(new[] { 0.5f, 0.5f, 0.5f, 0.3f, 0.3f, 0.3f }, new[] { false, false, true, true, false, false })]
    [InlineData(new[] { 0.2f, 0.8f, 0.2f, 0.8f, 0.6f }, new[] { false, true, true, false, true })]
    public void Compute_TiedScores_AucAndPrAucEqualTheirDefinitions(float[] p, bool[] y)
    {
        // AUC: the share of (churned, retained) pairs ranked right, a tie counting half.
        double right = 0, pairs = 0;
        for (var i = 0; i < p.Length; i++)
        {
            for (var j = 0; j < p.Length; j++)
            {
                if (y[i] && !y[j])
                {
                    pairs++;
                    right += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                }
            }
        }

        // Average precision: at each distinct score, the recall it adds times the precision of
        // everything scored at or above it.
        double ap = 0;
        var positives = y.Count(v => v);
        foreach (var threshold in p.Distinct().OrderDescending())
        {
            var at = Enumerable.Range(0, p.Length).Where(i => p[i] == threshold).ToList();
            var above = Enumerable.Range(0, p.Length).Where(i => p[i] >= threshold).ToList();
            ap += (double)at.Count(i => y[i]) / positives * above.Count(i => y[i]) / above.Count;
        }

        var m = ChurnMetrics.Compute(p, y);

        Assert.Equal(right / pairs, m.Auc, 12);
        Assert.Equal(ap, m.PrAuc, 12);
    }

    [Fact]
    public void Compute_ProbabilitiesOfExactlyZeroAndOne_LogLossFiniteAndBrierExact()
    {
        var wrong = ChurnMetrics.Compute([1f, 0f], [false, true]);
        var right = ChurnMetrics.Compute([1f, 0f], [true, false]);

        Assert.Equal(-Math.Log(1e-15), wrong.LogLoss, 2); // clamped, not infinite
        Assert.Equal(1.0, wrong.Brier, 12);
        Assert.Equal(0.0, right.LogLoss, 12);
        Assert.Equal(0.0, right.Brier, 12);
    }

    [Fact]
    public void Compute_OneClassOnly_AucIsHalfAndNeitherBeatsTheOther()
    {
        var allChurned = ChurnMetrics.Compute([0.9f, 0.2f, 0.5f], [true, true, true]);
        var allRetained = ChurnMetrics.Compute([0.9f, 0.2f, 0.5f], [false, false, false]);

        Assert.Equal(0.5, allChurned.Auc);
        Assert.Equal(1.0, allChurned.PrAuc, 12);
        Assert.Equal(1.0, allChurned.TopDecileLift, 12);
        Assert.Equal(0.5, allRetained.Auc);
        Assert.Equal(0.0, allRetained.PrAuc);
        Assert.False(allChurned.Beats(allRetained));
    }

    [Fact]
    public void Compute_ScoresTiedAcrossTheTopDecile_LiftDoesNotDependOnTheirOrder()
    {
        // 20 examples, top decile = 2: one at 0.9 (retained) and one of the four tied at 0.5, of
        // which two churned; in expectation over the tie's order, 0.5 churned in the top 2.
        float[] p = [0.9f, 0.5f, 0.5f, 0.5f, 0.5f, .. Enumerable.Repeat(0.1f, 15)];
        bool[] first = [false, true, true, false, false, .. Enumerable.Repeat(false, 13), true, true];
        bool[] last = [false, false, false, true, true, .. Enumerable.Repeat(false, 13), true, true];

        var churnedFirst = ChurnMetrics.Compute(p, first);
        var churnedLast = ChurnMetrics.Compute(p, last);

        var expected = (0.5 / 2) / (4.0 / 20);
        Assert.Equal(expected, churnedFirst.TopDecileLift, 12);
        Assert.Equal(expected, churnedLast.TopDecileLift, 12);
    }

    [Fact]
    public void Compute_NaNProbabilities_RankingIsNaNAndBeatsNothing()
    {
        // A model that gives no probability must not rank perfectly by the order of its input.
        var broken = ChurnMetrics.Compute([float.NaN, float.NaN, float.NaN, float.NaN], [true, true, false, false]);
        var partly = ChurnMetrics.Compute([0.9f, float.NaN, 0.1f, 0.2f], [true, true, false, false]);
        var baseline = ChurnMetrics.Compute([0.6f, 0.4f, 0.5f, 0.3f], [true, true, false, false]);

        Assert.True(double.IsNaN(broken.Auc), $"AUC {broken.Auc}");
        Assert.True(double.IsNaN(broken.PrAuc), $"PR-AUC {broken.PrAuc}");
        Assert.True(double.IsNaN(broken.TopDecileLift), $"lift {broken.TopDecileLift}");
        Assert.True(double.IsNaN(partly.Auc), $"AUC {partly.Auc}");
        Assert.False(broken.Beats(baseline));
        Assert.False(partly.Beats(baseline));
        Assert.False(baseline.Beats(broken));
    }
}

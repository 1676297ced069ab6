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
}

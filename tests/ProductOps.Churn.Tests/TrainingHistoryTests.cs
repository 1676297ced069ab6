using ProductOps.Simulator;

namespace ProductOps.Churn.Tests;

/// <summary>What a training says when the history is too short for its time split.</summary>
public sealed class TrainingHistoryTests
{
    [Fact]
    public void Train_SixWeeksWithA14DayHorizon_SaysTheHoldoutLeavesNoCutoffAndHowManyItTakes()
    {
        // The README's first tour once simulated six weeks: cutoffs exist, and examples with
        // churned and retained users, but every cutoff before the holdout sees its label window
        // reach into it.
        var simulation = new ProductSimulation(new ProductSimulationOptions { Users = 300, Days = 42 });
        var set = TrainingSetBuilder.Build(SimulatedHistories.Of(simulation), SimulatedChurnFixture.Rules, new TrainingSetOptions());
        Assert.InRange(set.CutoffsMs.Count, 2, 17);
        Assert.Contains(set.Examples, e => e.Churned);

        var error = Assert.Throws<NotEnoughDataException>(() => ChurnTrainer.Train(set, new ChurnTrainingOptions()));

        // With daily cutoffs and a quarter held out, 18 leave one cutoff 14 days before the holdout.
        Assert.StartsWith($"Not enough history for training: of the {set.CutoffsMs.Count} cutoffs from ", error.Message, StringComparison.Ordinal);
        Assert.Contains("14-day label window must end before them", error.Message, StringComparison.Ordinal);
        Assert.Contains($"It takes 18 cutoffs ({18 - set.CutoffsMs.Count} more, one every 1 day(s) of history)", error.Message, StringComparison.Ordinal);
    }
}

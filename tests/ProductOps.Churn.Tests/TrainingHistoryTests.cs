using ProductOps.Domain;
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

    [Fact]
    public void Train_HistoryTooShortForTwoCutoffs_SaysHowLongTheHistoryIsAndNamesTheHorizonSetting()
    {
        // 20 days is more than the horizon (14) plus two, which the message used to ask for; the
        // first cutoff also waits for 14 days of history.
        var start = new DateTimeOffset(2025, 3, 3, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var users = Enumerable.Range(0, 5).Select(u => new UserHistory(
            $"u{u}",
            [.. Enumerable.Range(0, 20).Select(d => new TrackedEvent(
                "t", $"u{u}", $"e{u}-{d}", "click", string.Empty, start + (d * TimeBuckets.MsPerDay) + 3_600_000, 0, string.Empty, null))])).ToList();
        var set = TrainingSetBuilder.Build(users, SimulatedChurnFixture.Rules, new TrainingSetOptions());

        var error = Assert.Throws<NotEnoughDataException>(() => ChurnTrainer.Train(set, new ChurnTrainingOptions()));

        Assert.StartsWith("Not enough history: the usage events span 20 day(s), from 2025-03-03 to 2025-03-22, which leaves 0 cutoff(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("the whole churn horizon (churn_horizon_days: 14 days)", error.Message, StringComparison.Ordinal);
    }
}

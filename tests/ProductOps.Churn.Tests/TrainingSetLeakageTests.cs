using ProductOps.Domain;
using ProductOps.Simulator;

namespace ProductOps.Churn.Tests;

/// <summary>An example sees nothing at or after its cutoff, and its label nothing at or after the
/// end of its label window: cutting the history there changes neither.</summary>
public sealed class TrainingSetLeakageTests
{
    [Fact]
    public void AddExamples_HistoryCutAtTheCutoffOrTheWindowsEnd_SameFeaturesTraitsAndLabel()
    {
        var simulation = new ProductSimulation(new ProductSimulationOptions { Seed = 11, Users = 120, Days = 70 });
        var rules = SimulatedChurnFixture.Rules;
        var horizonMs = rules.ChurnHorizonDays * TimeBuckets.MsPerDay;
        var set = TrainingSetBuilder.Build(SimulatedHistories.Of(simulation), rules, new TrainingSetOptions());
        var byUser = SimulatedHistories.Of(simulation).ToDictionary(u => u.UserId);
        var compared = 0;
        foreach (var example in set.Examples.Where((_, i) => i % 7 == 0))
        {
            var user = byUser[example.UserId];
            var before = TrainingSetBuilder.StatesAt(Cut(user, example.CutoffMs), [example.CutoffMs], rules)[0]!;
            var labelled = new List<ChurnExample>();
            TrainingSetBuilder.AddExamples(Cut(user, example.CutoffMs + horizonMs), [example.CutoffMs], rules, labelled);

            Assert.Equal(before.Features, TrainingSetBuilder.StatesAt(user, [example.CutoffMs], rules)[0]!.Features);
            Assert.Equal(before.Traits.OrderBy(t => t.Key, StringComparer.Ordinal), example.Traits.OrderBy(t => t.Key, StringComparer.Ordinal));
            Assert.Equal(example.Churned, Assert.Single(labelled).Churned);
            compared++;
        }

        Assert.True(compared > 300, $"only {compared} examples compared");
    }

    private static UserHistory Cut(UserHistory user, long beforeMs) =>
        user with { Events = [.. user.Events.Where(e => e.TimestampMs < beforeMs)] };
}

using ProductOps.Simulator;

namespace ProductOps.Churn.Tests;

/// <summary>The same log and settings give the same training set and model, whatever order the
/// users come in (the job reads them partition by partition, each partition's users as a
/// dictionary hands them back).</summary>
public sealed class TrainingSetDeterminismTests
{
    [Fact]
    public void Build_UsersInAnotherOrder_SameExamplesInTheSameOrderAndTheSameModel()
    {
        var simulation = new ProductSimulation(new ProductSimulationOptions { Seed = 5, Users = 300, Days = 63 });
        var histories = SimulatedHistories.Of(simulation);
        var reversed = Enumerable.Reverse(histories).ToList();

        var set = TrainingSetBuilder.Build(histories, SimulatedChurnFixture.Rules, new TrainingSetOptions());
        var other = TrainingSetBuilder.Build(reversed, SimulatedChurnFixture.Rules, new TrainingSetOptions());

        Assert.Equal(
            set.Examples.Select(e => (e.CutoffMs, e.UserId, e.Churned)),
            other.Examples.Select(e => (e.CutoffMs, e.UserId, e.Churned)));
        var options = new ChurnTrainingOptions { NumberOfTrees = 20, MinChurned = 20, MinRetained = 20 };
        var result = ChurnTrainer.Train(set, options);
        var otherResult = ChurnTrainer.Train(other, options);
        Assert.Equal(ChurnScorer.Load(result.ModelBytes).Traits.Slots, ChurnScorer.Load(otherResult.ModelBytes).Traits.Slots);
        Assert.Equal(result.Model.Auc, otherResult.Model.Auc);
        Assert.Equal(result.Model.LogLoss, otherResult.Model.LogLoss);
    }
}

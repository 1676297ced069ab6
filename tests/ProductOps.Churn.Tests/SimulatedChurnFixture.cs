using System.Diagnostics;
using ProductOps.Domain;
using ProductOps.Simulator;

namespace ProductOps.Churn.Tests;

/// <summary>One seed-fixed simulation with known churners, its training set and a model trained
/// on it, shared by the model tests.</summary>
public sealed class SimulatedChurnFixture
{
    public SimulatedChurnFixture()
    {
        Simulation = new ProductSimulation(new ProductSimulationOptions
        {
            Seed = 20_260_101,
            Users = 2_000,
            Days = 98,
            Start = new DateOnly(2025, 1, 6),
        });
        Histories = SimulatedHistories.Of(Simulation);
        var watch = Stopwatch.StartNew();
        Set = TrainingSetBuilder.Build(Histories, Rules, new TrainingSetOptions());
        BuildTime = watch.Elapsed;
        watch.Restart();
        Result = ChurnTrainer.Train(Set, new ChurnTrainingOptions());
        TrainTime = watch.Elapsed;
    }

    public static TenantRules Rules { get; } = new(TenantClock.Event, 14, [SimulatedEventNames.SubscriptionCancelled]);

    public ProductSimulation Simulation { get; }

    public List<UserHistory> Histories { get; }

    public TrainingSet Set { get; }

    public ChurnTrainingResult Result { get; }

    public TimeSpan BuildTime { get; }

    public TimeSpan TrainTime { get; }
}

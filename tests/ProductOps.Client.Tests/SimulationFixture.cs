using ProductOps.Contracts.V1;
using ProductOps.Simulator;

namespace ProductOps.Client.Tests;

/// <summary>One mid-sized simulation, generated once and shared by the simulator tests.</summary>
public sealed class SimulationFixture
{
    public SimulationFixture()
    {
        Simulation = new ProductSimulation(Options);
        Events = [.. Simulation.Events()];
        var byUser = new Dictionary<string, List<Event>>(StringComparer.Ordinal);
        foreach (var usageEvent in Events)
        {
            if (!byUser.TryGetValue(usageEvent.UserId, out var list))
            {
                byUser[usageEvent.UserId] = list = [];
            }

            list.Add(usageEvent);
        }

        EventsByUser = byUser;
    }

    public static ProductSimulationOptions Options => new()
    {
        Seed = 1234,
        Users = 600,
        Days = 42,
        Start = new DateOnly(2025, 3, 3),
    };

    public ProductSimulation Simulation { get; }

    public IReadOnlyList<Event> Events { get; }

    public IReadOnlyDictionary<string, List<Event>> EventsByUser { get; }
}

using ProductOps.Simulator;

namespace ProductOps.Gateway.Tests;

/// <summary>Streams a seed-fixed simulated product into a tenant on the event clock, so months of
/// history replay in seconds.</summary>
public static class SimulatedReplay
{
    /// <summary>Sends the simulation's events; returns the events accepted and the users sent.</summary>
    public static async Task<(long Events, long Users)> SendAsync(SiloProcess silo, string tenant, int users, int days)
    {
        var simulation = new ProductSimulation(new ProductSimulationOptions
        {
            Seed = 7,
            Users = users,
            Days = days,
            UserIdPrefix = $"{tenant}-",
        });
        var events = simulation.Events().ToList();
        var accepted = 0L;
        foreach (var chunk in EventFactory.Batches(events, 1000, tenant).Chunk(4))
        {
            var responses = await Task.WhenAll(chunk.Select(b => silo.Ingest.TrackAsync(b, AdminTenants.Ingest(tenant)).ResponseAsync));
            accepted += responses.Sum(r => (long)r.Accepted);
            Assert.All(responses, r => Assert.Empty(r.Rejected));
        }

        return (accepted, events.Select(e => e.UserId).Distinct(StringComparer.Ordinal).Count());
    }
}

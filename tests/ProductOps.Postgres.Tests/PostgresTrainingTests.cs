using System.Diagnostics;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions.Tenancy;
using ProductOps.Grains.Abstractions.Training;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;
using Xunit.Abstractions;

namespace ProductOps.Postgres.Tests;

/// <summary>In PostgreSQL mode a training job reads the PostgreSQL log and stores its model in the
/// PostgreSQL registry every silo reads (not a per-silo file).</summary>
public sealed class PostgresTrainingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task TrainModel_TwoSilos_ModelInTheSharedRegistryAndActivatable()
    {
        await using var db = await TestDatabase.CreateAsync("training");
        var cluster = await PostgresClusterFactory.StartAsync(db.ConnectionString, silos: 2);
        try
        {
            const string Tenant = EventStreamGenerator.Tenant;
            var driver = new PipelineDriver(() => cluster.Client, new PostgresEventLog(db.DataSource), PostgresClusterFactory.Partitions);
            var events = EventStreamGenerator.Generate(seed: 5, firstDay: 20_000, users: 150, days: 60);
            await driver.SendAllAsync(events, batchSize: 200, concurrency: 4);
            await cluster.Client.GetGrain<ITenantSettingsGrain>(Tenant).Update(new TenantSettingsUpdate(MinChurned: 20, MinRetained: 20));

            var clock = Stopwatch.StartNew();
            var jobs = cluster.Client.GetGrain<ITrainingJobGrain>(Tenant);
            var job = await jobs.Start();
            while (!job.IsFinished)
            {
                Assert.True(clock.Elapsed < JobTimeout, $"still {job.Status} ({job.Phase}) after {JobTimeout.TotalSeconds} s");
                await Task.Delay(200);
                job = (await jobs.GetLatest())!;
            }

            output.WriteLine($"{events.Count} events; job {job.Status} in {clock.Elapsed.TotalSeconds:F1} s: {job.UsersRead} users, {job.EventsRead} events, {job.Examples} examples; activated {job.Activated}");
            Assert.True(job.Status == TrainingStatus.Succeeded, $"{job.Status}: {job.Error}");
            Assert.Equal(ReplayOracle.Deduplicate(events).Count, job.EventsRead); // the whole log, read from PostgreSQL
            Assert.Equal(1L, await db.ScalarAsync($"SELECT count(*) FROM churn_model WHERE tenant = '{Tenant}'"));

            var registry = cluster.Client.GetGrain<IModelRegistryGrain>(Tenant);
            Assert.True(await registry.Activate(1));
            Assert.False(await registry.Activate(2));
            Assert.Equal(1, await db.ScalarAsync($"SELECT version FROM churn_active_model WHERE tenant = '{Tenant}'"));
            var listed = Assert.Single(await registry.List());
            Assert.Equal((1, true, job.Activated), (listed.Version, listed.IsActive, listed.BeatsBaseline));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }
}

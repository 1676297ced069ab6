using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Processes;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;
using ProductOps.Testing.Cluster;
using Xunit.Abstractions;

namespace ProductOps.Postgres.Tests;

/// <summary>
/// A node on a PostgreSQL server that goes away under it: restarted mid-stream (every connection
/// cut), then stopped for a while and started again. Callers get a clear status while it is gone,
/// acks resume by themselves, and every acked event is in the log once, with every figure the
/// oracle's. The server is the test's own (<see cref="ThrowawayPostgres"/>), not the shared one.
/// </summary>
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private const int Partitions = 8;
    private const string Key = "acme-outage-test-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Stream_PostgresRestartedThenDownAWhile_AcksResumeNothingLostOrDoubledAndAggregatesMatchOracle()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await using (var schema = Npgsql.NpgsqlDataSource.Create(postgres.ConnectionString))
        {
            await new PostgresMigrator(schema).MigrateAsync();
        }

        var ports = LoopbackPorts.Free(4);
        await using var node = HostProcess.Start("pg-outage-node", RepoLayout.SiloDll, ports[1], [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}",
            $"--ProductOps:Silo:SiloPort={ports[2]}",
            $"--ProductOps:Silo:GatewayPort={ports[3]}"], PostgresNodes.Environment(postgres.ConnectionString, Key, Partitions));
        await node.WaitHealthyAsync(Patience);

        var events = EventStreamGenerator.Generate(seed: 43, firstDay: 20_000, users: 600, days: 30)
            .Where(e => !e.IsIdentify).Take(20_000).ToList();
        var batches = events.Chunk(250).ToList();
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ports[0]}");
        var ingest = new IngestService.IngestServiceClient(channel);
        var failures = new ConcurrentBag<(StatusCode Code, string Detail)>();
        var acked = new List<TrackedEvent>[batches.Count];
        var completed = 0;
        var step = 0;
        var outage = Task.CompletedTask;
        using var abort = new CancellationTokenSource(TimeSpan.FromMinutes(8)); // a guard against a hang, not a speed target
        using var window = new SemaphoreSlim(4);
        var sends = batches.Select(async (batch, index) =>
        {
            await window.WaitAsync(abort.Token);
            try
            {
                acked[index] = await AckedBatches.SendUntilAckedAsync(ingest, Key, batch, Patience, e => { failures.Add((e.StatusCode, e.Status.Detail)); return true; }, abort.Token);
            }
            finally
            {
                window.Release();
            }

            var done = Interlocked.Increment(ref completed);
            lock (acked)
            {
                if (step == 0 && done >= batches.Count * 3 / 10)
                {
                    step++;
                    output.WriteLine($"{done} batches acked: restart PostgreSQL");
                    outage = postgres.RestartAsync();
                }
                else if (step == 1 && done >= batches.Count * 6 / 10)
                {
                    step++;
                    output.WriteLine($"{done} batches acked: stop PostgreSQL until callers are told it cannot be reached");
                    outage = Task.WhenAll(outage, DownUntilToldAsync(postgres, failures));
                }
            }
        }).ToList();
        await Task.WhenAll(sends);
        await outage;

        using var observer = await PostgresNodes.ObserverAsync(postgres.ConnectionString);
        await using var logSource = Npgsql.NpgsqlDataSource.Create(postgres.ConnectionString);
        var driver = new PipelineDriver(() => observer.Services.GetRequiredService<IClusterClient>(), new PostgresEventLog(logSource), Partitions);
        await driver.WaitUntilDispatchedAsync();
        var log = await driver.ReadLogAsync();
        var expected = ReplayOracle.Deduplicate(acked.SelectMany(a => a)).Select(e => (e.UserId, e.EventId)).ToHashSet();
        output.WriteLine(string.Join(", ", failures.GroupBy(f => f.Code).Select(g => $"{g.Count()} {g.Key}")));
        foreach (var detail in failures.Select(f => $"{f.Code}: {f.Detail}").Distinct().Take(10))
        {
            output.WriteLine(detail);
        }

        Assert.Equal(2, step);
        Assert.NotEmpty(failures); // the outage was seen by callers
        Assert.All(failures, f => Assert.True(f.Code is StatusCode.Unavailable or StatusCode.DeadlineExceeded, $"{f.Code}: {f.Detail}"));
        // While the server was down, callers were told so, not only "the cluster is briefly unavailable".
        Assert.Contains(failures, TellsPostgresIsUnreachable);
        Assert.Equal(expected.Count, log.Count);
        Assert.True(expected.SetEquals(log.Select(e => (e.UserId, e.EventId)))); // nothing acked missing, nothing twice
        await driver.AssertMatchesOracleAsync(log, log.Max(e => e.TimestampMs));
        Assert.DoesNotContain(ThrowawayPostgres.SecretPassword, node.FullOutput, StringComparison.Ordinal);
        await observer.StopAsync();
    }

    /// <summary>Stops the server until a caller has been told PostgreSQL cannot be reached: the
    /// outage lasts until it shows, not a guessed while. Then starts it again.</summary>
    private static async Task DownUntilToldAsync(ThrowawayPostgres postgres, ConcurrentBag<(StatusCode Code, string Detail)> failures)
    {
        await postgres.StopAsync();
        try
        {
            await Polling.Until(() => failures.Any(TellsPostgresIsUnreachable), Patience,
                () => $"no caller was told PostgreSQL cannot be reached; failures: {string.Join(" | ", failures.Select(f => f.Detail).Distinct().Take(5))}");
        }
        finally
        {
            await postgres.StartAgainAsync();
        }
    }

    private static bool TellsPostgresIsUnreachable((StatusCode Code, string Detail) failure) =>
        failure.Detail.StartsWith("the event log could not store the batch: PostgreSQL cannot be reached", StringComparison.Ordinal);
}

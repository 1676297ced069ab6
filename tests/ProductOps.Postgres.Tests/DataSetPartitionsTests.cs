using System.Globalization;
using ProductOps.Processes;
using ProductOps.Storage;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>A PostgreSQL data set records its partition count, and silo and gateway processes
/// configured with another refuse to start.</summary>
public sealed class DataSetPartitionsTests
{
    private const string Setting = "ProductOps:Pipeline:Partitions";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task RecordPartitions_FreshDatabase_RecordsTheCountAndReportsItToEveryLaterCount()
    {
        await using var db = await MigratedAsync("dataset_record");
        var record = new PostgresDataSetRecord(db.DataSource);
        Assert.Null(await record.ReadPartitionsAsync());

        int[] counts = [8, 16, 8, 4];
        var results = await Task.WhenAll(counts.Select(p => new PostgresDataSetRecord(db.DataSource).RecordPartitionsAsync(p)));

        var winner = results[0].Count; // silos starting at once: whichever came first, all see one count
        Assert.All(results, r => Assert.Equal(new RecordedPartitions(winner, AtLeast: false), r));
        Assert.Equal(winner, await record.ReadPartitionsAsync());
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM data_set"));
        var other = winner == 8 ? 16 : 8;
        var mismatch = Assert.Throws<PartitionCountMismatchException>(() => new RecordedPartitions(winner, false).Verify(Setting, other, record.Location));
        Assert.StartsWith($"{Setting} is {other}, but this data set was created with {winner} partitions (recorded in table data_set of database {db.Name})", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordPartitions_UnrecordedLogWithPartitionPastTheCount_RecordsNothingAndReportsTheLeastCount()
    {
        await using var db = await MigratedAsync("dataset_legacy");
        await new PostgresEventLog(db.DataSource).AppendAsync(11, 0, [SchemaMigrationTests.Event("a")], DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        var record = new PostgresDataSetRecord(db.DataSource);

        var tooFew = await record.RecordPartitionsAsync(8);
        var enough = await record.RecordPartitionsAsync(16);

        Assert.Equal(new RecordedPartitions(12, AtLeast: true), tooFew);
        Assert.Contains("already holds partition 11: it was written with at least 12 partitions",
            Assert.Throws<PartitionCountMismatchException>(() => tooFew.Verify(Setting, 8, record.Location)).Message, StringComparison.Ordinal);
        Assert.Equal(new RecordedPartitions(16, AtLeast: false), enough);
    }

    [Fact]
    public async Task Start_OtherPartitionCountThanTheDataSet_SiloAndGatewayExitNonZeroNamingSettingAndCounts()
    {
        await using var db = await MigratedAsync("dataset_procs");
        var expected = $"{Setting} is 4, but this data set was created with 8 partitions (recorded in table data_set of database {db.Name})";
        await using (var silo = StartSilo(db, partitions: 8))
        {
            await silo.WaitHealthyAsync(Patience);
            Assert.Equal(8, await new PostgresDataSetRecord(db.DataSource).ReadPartitionsAsync());

            await using (var gateway = StartGateway(db, partitions: 4))
            {
                Assert.NotEqual(0, await gateway.WaitForExitAsync(Patience));
                Assert.Contains(expected, gateway.FullOutput, StringComparison.Ordinal);
            }

            await using (var gateway = StartGateway(db, partitions: 8))
            {
                await gateway.WaitHealthyAsync(Patience);
            }

            Assert.Equal(0, await silo.StopAsync());
        }

        await using var changed = StartSilo(db, partitions: 4);
        Assert.NotEqual(0, await changed.WaitForExitAsync(Patience));
        Assert.Contains(expected, changed.FullOutput, StringComparison.Ordinal);
        Assert.Equal(8, await new PostgresDataSetRecord(db.DataSource).ReadPartitionsAsync());
    }

    private static HostProcess StartSilo(TestDatabase db, int partitions)
    {
        var ports = LoopbackPorts.Free(4);
        return HostProcess.Start("silo", RepoLayout.SiloDll, ports[1], [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}",
            $"--ProductOps:Silo:SiloPort={ports[2]}",
            $"--ProductOps:Silo:GatewayPort={ports[3]}",
            "--ProductOps:Silo:Gateway=false"], Environment(db, partitions));
    }

    private static HostProcess StartGateway(TestDatabase db, int partitions)
    {
        var ports = LoopbackPorts.Free(2);
        return HostProcess.Start("gateway", RepoLayout.GatewayDll, ports[1], [
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{ports[0]}",
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{ports[1]}"], Environment(db, partitions));
    }

    private static Dictionary<string, string?> Environment(TestDatabase db, int partitions) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_ENVIRONMENT"] = null,
        ["ProductOps__Store"] = "Postgres",
        ["ProductOps__Postgres__ConnectionString"] = db.ConnectionString,
        ["ProductOps__LocalTrial"] = "true",
        ["ProductOps__Pipeline__Partitions"] = partitions.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task<TestDatabase> MigratedAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        await new PostgresMigrator(db.DataSource).MigrateAsync();
        return db;
    }
}

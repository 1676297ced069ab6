using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>Our membership <c>OrleansQuery</c> rows, driven by Orleans' own ADO.NET clustering
/// table: the version check on every membership change, heartbeats that change no version, reads
/// that return the version without a row, and the cleanup of defunct silos.</summary>
public sealed class OrleansMembershipQueriesTests
{
    private static readonly DateTime Start = new(2026, 1, 5, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task InsertAndUpdate_StaleTableVersion_RefusedAndNothingChanged()
    {
        await using var db = await MigratedAsync("membership");
        var table = await TableAsync(db);
        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);

        var first = Entry(1, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Entry(2, SiloStatus.Joining), empty.Version.Next())); // read before the first insert
        var afterInsert = await table.ReadAllAsync();
        Assert.Equal([first.SiloAddress], afterInsert.Members.Select(m => m.Item1.SiloAddress));

        first.Status = SiloStatus.Active;
        Assert.True(await table.UpdateRowAsync(first, afterInsert.Members[0].Item2, afterInsert.Version.Next()));
        first.Status = SiloStatus.Dead;
        Assert.False(await table.UpdateRowAsync(first, afterInsert.Members[0].Item2, afterInsert.Version.Next()));

        var now = await table.ReadRowAsync(first.SiloAddress);
        Assert.Equal(SiloStatus.Active, Assert.Single(now.Members).Item1.Status);
        Assert.Equal(afterInsert.Version.Version + 1, now.Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAlive_Heartbeat_ChangesTheTimeButNoVersion()
    {
        await using var db = await MigratedAsync("heartbeat");
        var table = await TableAsync(db);
        var silo = Entry(1, SiloStatus.Active);
        Assert.True(await table.InsertRowAsync(silo, (await table.ReadAllAsync()).Version.Next()));
        var before = await table.ReadAllAsync();

        silo.IAmAliveTime = Start.AddMinutes(5);
        await table.UpdateIAmAliveAsync(silo);

        var after = await table.ReadRowAsync(silo.SiloAddress);
        Assert.Equal(before.Version.Version, after.Version.Version);
        Assert.Equal(Start.AddMinutes(5), Assert.Single(after.Members).Item1.IAmAliveTime);
        var unknown = await table.ReadRowAsync(Entry(9, SiloStatus.Active).SiloAddress);
        Assert.Empty(unknown.Members);
        Assert.Equal(before.Version.Version, unknown.Version.Version); // the version comes back without a row
    }

    [Fact]
    public async Task CleanupDefunctSiloEntries_DeadSilos_OnlyThoseWhoseLastUpdateIsBeforeTheDateGo()
    {
        await using var db = await MigratedAsync("defunct");
        var table = await TableAsync(db);
        var longDead = Entry(1, SiloStatus.Dead);
        var active = Entry(2, SiloStatus.Active);
        // Its heartbeats are old, but it was voted dead just now: its last update is recent.
        var justDeclaredDead = Entry(3, SiloStatus.Dead);
        justDeclaredDead.AddOrUpdateSuspector(longDead.SiloAddress, Start.AddDays(10), 3);
        foreach (var entry in new[] { longDead, active, justDeclaredDead })
        {
            Assert.True(await table.InsertRowAsync(entry, (await table.ReadAllAsync()).Version.Next()));
        }

        justDeclaredDead.Status = SiloStatus.Dead;
        var read = await table.ReadRowAsync(justDeclaredDead.SiloAddress);
        Assert.True(await table.UpdateRowAsync(justDeclaredDead, read.Members[0].Item2, read.Version.Next()));

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Start.AddDays(5)));

        var left = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress).ToHashSet();
        Assert.Equal(new HashSet<SiloAddress> { active.SiloAddress, justDeclaredDead.SiloAddress }, left);
    }

    private static MembershipEntry Entry(int n, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11_000 + n), 1_000 + n),
        Status = status,
        SiloName = $"silo-{n}",
        HostName = "host",
        ProxyPort = 30_000 + n,
        StartTime = Start,
        IAmAliveTime = Start,
    };

    private static async Task<AdoNetClusteringTable> TableAsync(TestDatabase db)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = "cluster", ServiceId = "service" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresSiloBuilderExtensions.Invariant, ConnectionString = db.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private static async Task<TestDatabase> MigratedAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        await new PostgresMigrator(db.DataSource).MigrateAsync();
        return db;
    }
}

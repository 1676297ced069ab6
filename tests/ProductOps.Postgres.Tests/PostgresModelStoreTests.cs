using ProductOps.Churn;
using ProductOps.Storage.Postgres;
using ProductOps.Testing;

namespace ProductOps.Postgres.Tests;

/// <summary>The churn model registry on a real server: versions, metrics, activation and rollback,
/// seen alike by every silo's store object.</summary>
public sealed class PostgresModelStoreTests
{
    private static readonly ChurnMetrics ModelMetrics = ChurnMetrics.Compute([0.9f, 0.8f, 0.3f, 0.1f], [true, true, false, true]);
    private static readonly ChurnMetrics BaselineMetrics = ChurnMetrics.Compute([0.6f, 0.5f, 0.5f, 0.4f], [true, true, false, true]);
    private static readonly TrainingSet Data = new([], [1_000, 2_000], 1_700_000_000_000, 1_705_000_000_000, 21);

    [Fact]
    public async Task AddAndActivate_TwoVersions_ListShowsMetricsAndTheActiveOne()
    {
        await using var db = await MigratedAsync("models");
        var store = new PostgresModelStore(db.DataSource);

        var v1 = await store.AddAsync("acme", Result([1, 2, 3]), Data, 1_000);
        var v2 = await store.AddAsync("acme", Result([4, 5]), Data, 2_000);
        var other = await store.AddAsync("globex", Result([6]), Data, 3_000);
        await store.ActivateAsync("acme", 2);

        Assert.Equal((1, 2, 1), (v1.Version, v2.Version, other.Version));
        var list = await store.ListAsync("acme");
        Assert.Equal([(2, true), (1, false)], list.Select(m => (m.Version, m.IsActive)));
        var info = list[0];
        Assert.Equal(ModelMetrics.Auc, info.Model.Auc, 12);
        Assert.Equal(BaselineMetrics.LogLoss, info.Baseline.LogLoss, 12);
        Assert.Equal(10, info.Model.Calibration.Count);
        Assert.Equal((Data.DataFromMs, Data.DataToMs, 21, 2_000L), (info.DataFromMs, info.DataToMs, info.HorizonDays, info.CreatedAtMs));
        Assert.Equal("7", info.Parameters["trees"]);
        Assert.True(info.BeatsBaseline);
        Assert.Equal([1, 2, 3], await store.GetModelBytesAsync("acme", 1));
        Assert.Null(await store.GetModelBytesAsync("acme", 3));
        Assert.Null(await store.GetAsync("acme", 3));
        Assert.Null(await store.GetActiveVersionAsync("globex"));
    }

    [Fact]
    public async Task Activate_OlderVersionFromAnotherSilo_RollsBackForEverySilo()
    {
        await using var db = await MigratedAsync("rollback");
        var silo1 = new PostgresModelStore(db.DataSource);
        var silo2 = new PostgresModelStore(db.DataSource);
        await silo1.AddAsync("acme", Result([1]), Data, 1_000);
        await silo1.AddAsync("acme", Result([2]), Data, 2_000);
        await silo1.ActivateAsync("acme", 2);

        await silo2.ActivateAsync("acme", 1);

        Assert.Equal(1, await silo1.GetActiveVersionAsync("acme"));
        Assert.True((await silo1.GetAsync("acme", 1))!.IsActive);
        Assert.False((await silo1.GetAsync("acme", 2))!.IsActive);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => silo1.ActivateAsync("acme", 7));
        Assert.Equal(1, await silo2.GetActiveVersionAsync("acme"));
    }

    [Fact]
    public async Task Add_ConcurrentlyFromSeveralSilos_GetsDistinctVersions()
    {
        await using var db = await MigratedAsync("concurrent");
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresModelStore(db.DataSource)).ToList();

        var added = await Task.WhenAll(stores.SelectMany(s => Enumerable.Range(0, 3).Select(i => s.AddAsync("acme", Result([(byte)i]), Data, i))));

        Assert.Equal(Enumerable.Range(1, 12), added.Select(m => m.Version).Order());
    }

    private static async Task<TestDatabase> MigratedAsync(string prefix)
    {
        var db = await TestDatabase.CreateAsync(prefix);
        await new PostgresMigrator(db.DataSource).MigrateAsync();
        return db;
    }

    private static ChurnTrainingResult Result(byte[] bytes) => new(
        bytes, ChurnTrainer.TrainerName, new Dictionary<string, string> { ["trees"] = "7" }, ModelMetrics, BaselineMetrics, 100, 40, 5_000);
}

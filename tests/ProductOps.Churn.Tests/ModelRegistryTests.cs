namespace ProductOps.Churn.Tests;

/// <summary>The SQLite registry and the per-process cache of active models, on real files.</summary>
[Collection(SimulatedChurnCollection.Name)]
public sealed class ModelRegistryTests(SimulatedChurnFixture fixture) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("po-models-").FullName;

    [Fact]
    public async Task AddAndActivate_TwoVersions_ListShowsMetricsAndActiveOne()
    {
        var store = new SqliteModelStore(Path.Combine(_folder, "models.db"));

        var v1 = await store.AddAsync("acme", fixture.Result, fixture.Set, 1_000);
        var v2 = await store.AddAsync("acme", fixture.Result, fixture.Set, 2_000);
        var other = await store.AddAsync("globex", fixture.Result, fixture.Set, 3_000);
        await store.ActivateAsync("acme", 2);

        Assert.Equal((1, 2, 1), (v1.Version, v2.Version, other.Version));
        var list = await store.ListAsync("acme");
        Assert.Equal([2, 1], list.Select(m => m.Version));
        Assert.Equal([true, false], list.Select(m => m.IsActive));
        var info = list[0];
        Assert.Equal(fixture.Result.Model.Auc, info.Model.Auc, 12);
        Assert.Equal(fixture.Result.Baseline.PrAuc, info.Baseline.PrAuc, 12);
        Assert.Equal(10, info.Model.Calibration.Count);
        Assert.Equal(ChurnTrainer.TrainerName, info.Trainer);
        Assert.Equal(fixture.Set.DataFromMs, info.DataFromMs);
        Assert.Equal(fixture.Set.DataToMs, info.DataToMs);
        Assert.Equal("200", info.Parameters["trees"]);
        Assert.Equal(fixture.Result.ModelBytes, await store.GetModelBytesAsync("acme", 1));
        Assert.Null(await store.GetActiveVersionAsync("globex"));
    }

    [Fact]
    public async Task Activate_OlderVersion_RollsBack()
    {
        var store = new SqliteModelStore(Path.Combine(_folder, "models.db"));
        await store.AddAsync("acme", fixture.Result, fixture.Set, 1_000);
        await store.AddAsync("acme", fixture.Result, fixture.Set, 2_000);
        await store.ActivateAsync("acme", 2);

        await store.ActivateAsync("acme", 1);

        Assert.Equal(1, await store.GetActiveVersionAsync("acme"));
        Assert.True((await store.GetAsync("acme", 1))!.IsActive);
        Assert.False((await store.GetAsync("acme", 2))!.IsActive);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => store.ActivateAsync("acme", 7));
        Assert.Equal(1, await store.GetActiveVersionAsync("acme"));
    }

    [Fact]
    public async Task Cache_ActivationInAnotherProcess_PickedUpWithoutRestart()
    {
        // Two silos: each its own store object and cache over the one database file.
        var path = Path.Combine(_folder, "models.db");
        var silo1 = new SqliteModelStore(path);
        var cache2 = new ActiveModelCache(new SqliteModelStore(path), TimeProvider.System, TimeSpan.Zero);
        Assert.Null(await cache2.GetAsync("acme"));

        await silo1.AddAsync("acme", fixture.Result, fixture.Set, 1_000);
        await silo1.AddAsync("acme", fixture.Result, fixture.Set, 2_000);
        await silo1.ActivateAsync("acme", 1);
        var first = await cache2.GetAsync("acme");
        await silo1.ActivateAsync("acme", 2);
        var second = await cache2.GetAsync("acme");

        Assert.Equal(1, first!.Version);
        Assert.Equal(2, second!.Version);
        var score = second.Scorer.Score(fixture.Set.Examples[0].Features);
        Assert.InRange(score.Probability, 0f, 1f);
    }

    [Fact]
    public async Task Cache_WithinRefreshInterval_ReusesLoadedModel()
    {
        var store = new SqliteModelStore(Path.Combine(_folder, "models.db"));
        await store.AddAsync("acme", fixture.Result, fixture.Set, 1_000);
        await store.ActivateAsync("acme", 1);
        var cache = new ActiveModelCache(store, TimeProvider.System, TimeSpan.FromHours(1));

        var a = await cache.GetAsync("acme");
        await store.AddAsync("acme", fixture.Result, fixture.Set, 2_000);
        await store.ActivateAsync("acme", 2);
        var b = await cache.GetAsync("acme");
        cache.Invalidate("acme");
        var c = await cache.GetAsync("acme");

        Assert.Same(a, b);
        Assert.Equal(2, c!.Version);
    }

    /// <summary>A caller told which version is active (the sweep) gets it from a process whose
    /// cached view, still within its refresh interval, holds another: read from the registry
    /// then, and kept for every later caller.</summary>
    [Fact]
    public async Task Cache_AskedForAnotherVersionWithinRefreshInterval_ReadsTheRegistry()
    {
        var store = new SqliteModelStore(Path.Combine(_folder, "models.db"));
        var cache = new ActiveModelCache(store, TimeProvider.System, TimeSpan.FromHours(1));
        Assert.Null(await cache.GetAsync("acme")); // "no model", for the next hour
        await store.AddAsync("acme", fixture.Result, fixture.Set, 1_000);
        await store.ActivateAsync("acme", 1);

        var asked = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => cache.GetAsync("acme", version: 1)));
        var later = await cache.GetAsync("acme");

        Assert.All(asked, m => Assert.Equal(1, m!.Version));
        Assert.Equal(1, later!.Version);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

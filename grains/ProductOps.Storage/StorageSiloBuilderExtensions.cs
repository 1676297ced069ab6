using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ProductOps.Storage;

/// <summary>Wires the embedded store into a silo.</summary>
public static class StorageSiloBuilderExtensions
{
    /// <summary>The grain storage name every ProductOps grain uses.</summary>
    public const string GrainStorageName = "productops";

    /// <summary>Adds the SQLite event log and SQLite grain storage under DataDir.</summary>
    public static ISiloBuilder AddEmbeddedStorage(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section)
            .Validate(o => o.DedupMergeEvents is >= 1 and <= 1_000_000, "ProductOps:DedupMergeEvents must be between 1 and 1,000,000")
            .Validate(o => o.DedupFilterMaxBytes is 0 or (>= StorageOptions.MinDedupFilterBytes and <= StorageOptions.MaxDedupFilterBytes),
                "ProductOps:DedupFilterMaxBytes must be 0 (no filter) or between 1,048,576 (1 MiB) and 17,179,869,184 (16 GiB)")
            .ValidateOnStart();
        silo.Services.AddSingleton<IEventLog, SqliteEventLog>();
        silo.Services.AddSingleton<SqliteGrainStorage>();
        silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageName, (sp, _) => sp.GetRequiredService<SqliteGrainStorage>());
        return silo;
    }
}

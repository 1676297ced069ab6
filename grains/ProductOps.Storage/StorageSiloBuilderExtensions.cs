using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace ProductOps.Storage;

/// <summary>Wires the embedded store into a silo.</summary>
public static class StorageSiloBuilderExtensions
{
    /// <summary>The grain storage name every ProductOps grain uses.</summary>
    public const string GrainStorageName = "productops";

    /// <summary>Adds the SQLite event log, SQLite grain storage and the data set's record under DataDir.</summary>
    public static ISiloBuilder AddEmbeddedStorage(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>());
        silo.Services.AddSingleton<IEventLog, SqliteEventLog>();
        silo.Services.AddSingleton<IDataSetRecord, SqliteDataSetRecord>();
        silo.Services.AddSingleton<SqliteGrainStorage>();
        silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageName, (sp, _) => sp.GetRequiredService<SqliteGrainStorage>());
        return silo;
    }
}

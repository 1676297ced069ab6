using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using ProductOps.Churn;

namespace ProductOps.Storage.Postgres;

/// <summary>Wires the PostgreSQL store into a silo: event log, grain state, membership.</summary>
public static class PostgresSiloBuilderExtensions
{
    /// <summary>The ADO.NET invariant of Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Adds the PostgreSQL event log and churn model registry, Orleans' ADO.NET grain storage (under the name every
    /// ProductOps grain uses) and ADO.NET clustering, all on the project's own schema, which is
    /// migrated at start when MigrateOnStart is set.
    /// </summary>
    public static ISiloBuilder AddPostgresStore(this ISiloBuilder silo)
    {
        var services = silo.Services;
        services.AddPostgresOptions();
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<PostgresOptions>>().Value.PooledConnectionString()));
        services.AddSingleton<PostgresMigrator>();
        services.AddSingleton<PostgresLogMaintenance>();
        services.AddSingleton<IEventLog, PostgresEventLog>();
        services.AddSingleton<IDataSetRecord, PostgresDataSetRecord>();
        services.AddSingleton<IModelStore, PostgresModelStore>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, PostgresSchemaStartup>();
        services.AddSingleton<IHostedService, PostgresMaintenanceService>();

        silo.AddAdoNetGrainStorage(StorageSiloBuilderExtensions.GrainStorageName, optionsBuilder => optionsBuilder.Configure<IOptions<PostgresOptions>, Serializer>(
            (storage, postgres, serializer) =>
            {
                storage.Invariant = Invariant;
                storage.ConnectionString = postgres.Value.PooledConnectionString();
                // The Orleans binary serializer: grain state records are [GenerateSerializer] types.
                storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));
        silo.UseAdoNetClustering(optionsBuilder => optionsBuilder.Configure<IOptions<PostgresOptions>>((clustering, postgres) =>
        {
            clustering.Invariant = Invariant;
            clustering.ConnectionString = postgres.Value.PooledConnectionString();
        }));
        return silo;
    }

    /// <summary>Binds and validates <see cref="PostgresOptions"/> (section "ProductOps:Postgres").</summary>
    public static IServiceCollection AddPostgresOptions(this IServiceCollection services)
    {
        services.AddOptions<PostgresOptions>()
            .BindConfiguration(PostgresOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<PostgresOptions>, PostgresOptionsValidator>();
        return services;
    }
}

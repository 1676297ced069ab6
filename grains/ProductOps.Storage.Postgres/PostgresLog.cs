using Microsoft.Extensions.Logging;

namespace ProductOps.Storage.Postgres;

/// <summary>The PostgreSQL store's log lines. None carries a connection string password.</summary>
internal static partial class PostgresLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Name})")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "PostgreSQL schema is at version {Version} on {Database}")]
    public static partial void SchemaReady(ILogger logger, int version, string database);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Warning, Message = "PostgreSQL schema version {Version} is newer than this build's ({BuildVersion}): a later build migrated it. This build runs on it (migrations only add), as the old silos of a rolling update or a rollback do; finish the update")]
    public static partial void SchemaNewerThanBuild(ILogger logger, int version, int buildVersion);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Event log retention dropped day partition {Partition}")]
    public static partial void PartitionDropped(ILogger logger, string partition);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Information, Message = "Dedup window: forgot {Count} event ids committed before {Cutoff:o}")]
    public static partial void DedupPruned(ILogger logger, long count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Event log retention deleted {Count} rows committed before {Cutoff:o} from the default partition")]
    public static partial void DefaultRowsDeleted(ILogger logger, long count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Event log maintenance failed; it retries in {Interval}")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Could not create day partition {Partition} (rows for that day are in the default partition)")]
    public static partial void PartitionNotCreated(ILogger logger, Exception? exception, string partition);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Warning, Message = "Event log maintenance could not {Action} day partition {Partition}: its locks were busy ({Attempts} tries of {Timeout}); the next run tries again")]
    public static partial void PartitionLockBusy(ILogger logger, string action, string partition, int attempts, TimeSpan timeout);
}

using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>The PostgreSQL store (configuration section "ProductOps:Postgres").</summary>
public sealed class PostgresOptions
{
    public const string Section = "ProductOps:Postgres";

    /// <summary>Npgsql connection string, e.g. from the environment variable
    /// <c>ProductOps__Postgres__ConnectionString</c>. Never logged with its password.</summary>
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>Apply pending schema migrations when a silo starts (idempotent; concurrent starts
    /// serialize on an advisory lock).</summary>
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>How long a (tenant, user, event id) is remembered as a duplicate; at least 7 days.</summary>
    public int DedupWindowDays { get; set; } = 7;

    /// <summary>Days of events kept in the log, by the database's clock (whole days: a day goes once
    /// all of it is older); 0 keeps everything. When set, at least <see cref="DedupWindowDays"/>.</summary>
    public int RetentionDays { get; set; }

    /// <summary>Connections per pool. A silo has two pools (the event log's, and the one Orleans'
    /// grain storage and membership share); keep silos x 2 x MaxPoolSize under the server's
    /// max_connections (100 by default). Callers wait for a free connection rather than fail.</summary>
    public int MaxPoolSize { get; set; } = 10;

    /// <summary>How often a silo creates upcoming day partitions and applies retention.</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Why Npgsql cannot read the connection string, or null. Npgsql's reason names the
    /// keyword or position at fault, never a value (which may be the password).</summary>
    private static string? Unparsable(string connectionString)
    {
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }

    /// <summary>The connection string with this process's pool size applied.</summary>
    public string PooledConnectionString() =>
        new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = MaxPoolSize }.ConnectionString;

    /// <summary>Null when the options are usable, else the reason.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            return $"{Section}:ConnectionString is required when ProductOps:Store is Postgres";
        }

        if (Unparsable(ConnectionString) is { } reason)
        {
            return $"{Section}:ConnectionString is not a valid Npgsql connection string: {reason}";
        }

        if (DedupWindowDays < 7)
        {
            return $"{Section}:DedupWindowDays must be at least 7, not {DedupWindowDays}";
        }

        if (RetentionDays != 0 && RetentionDays < DedupWindowDays)
        {
            return $"{Section}:RetentionDays must be 0 (keep everything) or at least DedupWindowDays ({DedupWindowDays}), not {RetentionDays}";
        }

        if (MaxPoolSize < 2)
        {
            return $"{Section}:MaxPoolSize must be at least 2, not {MaxPoolSize}";
        }

        return MaintenanceInterval <= TimeSpan.Zero ? $"{Section}:MaintenanceInterval must be positive" : null;
    }
}

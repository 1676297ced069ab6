namespace ProductOps.Storage.Postgres;

/// <summary>The database's schema is older than this build's: migrate it first.</summary>
public sealed class SchemaVersionException : InvalidOperationException
{
    public SchemaVersionException()
    {
    }

    public SchemaVersionException(string message)
        : base(message)
    {
    }

    public SchemaVersionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SchemaVersionException(int databaseVersion, int buildVersion)
        : base(Describe(databaseVersion, buildVersion))
    {
        DatabaseVersion = databaseVersion;
        BuildVersion = buildVersion;
    }

    /// <summary>The latest schema version applied to the database.</summary>
    public int DatabaseVersion { get; }

    /// <summary>The latest schema version this build knows.</summary>
    public int BuildVersion { get; }

    private static string Describe(int database, int build) =>
        $"The PostgreSQL schema is at version {database}; this build needs {build}. Run 'productops migrate' or set {PostgresOptions.Section}:MigrateOnStart=true.";
}

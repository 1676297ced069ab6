namespace ProductOps.Storage.Postgres;

/// <summary>Where a deployment keeps its event log, grain state and membership.</summary>
public enum StoreMode
{
    /// <summary>SQLite files under DataDir and localhost clustering: one process, the default.</summary>
    Embedded,

    /// <summary>PostgreSQL for the event log, grain state and cluster membership.</summary>
    Postgres,
}

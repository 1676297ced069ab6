namespace ProductOps.Storage.Postgres;

/// <summary>One versioned schema step, applied once, in its own transaction.</summary>
public sealed record SchemaMigration(int Version, string Name, string Sql);

namespace ProductOps.Storage.Postgres;

/// <summary>Which store a process uses: key "ProductOps:Store", shared by silos and gateways.</summary>
public sealed class StoreOptions
{
    public const string Section = "ProductOps";

    /// <summary><see cref="StoreMode.Embedded"/> (default) or <see cref="StoreMode.Postgres"/>.</summary>
    public StoreMode Store { get; set; } = StoreMode.Embedded;
}

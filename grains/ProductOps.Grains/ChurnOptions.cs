namespace ProductOps.Grains;

/// <summary>Churn serving settings (configuration section "ProductOps:Churn").</summary>
public sealed class ChurnOptions
{
    public const string Section = "ProductOps:Churn";

    /// <summary>How often a silo re-reads the registry's active model version: the longest a newly
    /// activated model (or a rollback) takes to reach every silo.</summary>
    public TimeSpan ModelRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}

using System.Globalization;

namespace ProductOps.Testing.Cluster;

/// <summary>The settings every test cluster shares, whatever its store: a small pipeline that
/// checkpoints often, and the generator's tenant on the event clock with its churn events.</summary>
public static class ClusterTestSettings
{
    public static Dictionary<string, string?> Pipeline(int partitions) => new()
    {
        ["ProductOps:Pipeline:Partitions"] = partitions.ToString(CultureInfo.InvariantCulture),
        ["ProductOps:Pipeline:CheckpointInterval"] = "00:00:00.300",
        ["ProductOps:Pipeline:UserSnapshotEvery"] = "16",
        ["ProductOps:Pipeline:ReceiverHistoryRewriteAfter"] = "8", // receivers rewrite their history often, so every test crosses it
        [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:Clock"] = "Event",
        [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:ChurnHorizonDays"] = "14",
        [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:ChurnEvents:0"] = EventStreamGenerator.ChurnEvent,
        [$"ProductOps:Tenants:{EventStreamGenerator.Tenant}:ChurnEvents:1"] = EventStreamGenerator.OtherChurnEvent,
    };
}

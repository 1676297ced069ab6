namespace ProductOps.Gateway.Host;

/// <summary>How the gateway finds the cluster (configuration section "ProductOps:Cluster").</summary>
public sealed class ClusterClientOptions
{
    public const string Section = "ProductOps:Cluster";

    /// <summary>Orleans gateway ports of silos on this machine (localhost clustering).</summary>
    public List<int> GatewayPorts { get; init; } = [];

    public string ClusterId { get; set; } = "productops";

    public string ServiceId { get; set; } = "productops";
}

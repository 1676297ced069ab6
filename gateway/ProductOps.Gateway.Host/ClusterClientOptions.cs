namespace ProductOps.Gateway.Host;

/// <summary>How the gateway finds the cluster (configuration section "ProductOps:Cluster").</summary>
public sealed class ClusterClientOptions
{
    public const string Section = "ProductOps:Cluster";

    /// <summary>Orleans gateway ports of silos on this machine (localhost clustering).</summary>
    public List<int> GatewayPorts { get; init; } = [];

    /// <summary>The cluster to join: the silos' <c>ProductOps:Silo:ClusterId</c>.</summary>
    public string ClusterId { get; set; } = "productops";

    /// <summary>The silos' <c>ProductOps:Silo:ServiceId</c>.</summary>
    public string ServiceId { get; set; } = "productops";
}

namespace ProductOps.Gateway.Errors;

/// <summary>Whether this process has reached the cluster: a silo hosting the gateway always has;
/// a stand-alone gateway's client only once it connected to a silo.</summary>
public interface IClusterConnection
{
    bool IsConnected { get; }
}

/// <summary>The in-process case: the gateway runs in a silo.</summary>
internal sealed class InProcessCluster : IClusterConnection
{
    public bool IsConnected => true;
}

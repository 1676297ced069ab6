using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Host;

/// <summary>Connected once the Orleans client's start completes (it reached a silo), so calls
/// before then get Unavailable rather than an internal error.</summary>
internal sealed class ClusterClientConnection : IClusterConnection, ILifecycleParticipant<IClusterClientLifecycle>
{
    private volatile bool _connected;

    public bool IsConnected => _connected;

    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(ClusterClientConnection), ServiceLifecycleStage.Active, _ =>
        {
            _connected = true;
            return Task.CompletedTask;
        });
}

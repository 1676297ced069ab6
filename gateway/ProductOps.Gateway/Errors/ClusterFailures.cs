namespace ProductOps.Gateway.Errors;

/// <summary>What a grain call's failure says about the cluster.</summary>
public static class ClusterFailures
{
    /// <summary>Whether the call failed because the cluster was briefly unable to serve it (a silo
    /// dying or just dead, a call that timed out, two activations of a grain around a membership
    /// change, one refused by the other's state write), so the same call may succeed later.</summary>
    public static bool IsTransient(Exception e) =>
        e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or Orleans.Storage.InconsistentStateException;
}

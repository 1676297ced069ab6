namespace ProductOps.Gateway.Errors;

/// <summary>What a grain call's failure says about the cluster.</summary>
public static class ClusterFailures
{
    /// <summary>How long a stream (a WatchAtRisk, a view watch) reads on through transient
    /// failures: longer than a cluster takes to declare a killed silo dead with Orleans' default
    /// membership settings (well under a minute), so a watch reads on past a crash instead of ending.</summary>
    public static readonly TimeSpan OutagePatience = TimeSpan.FromMinutes(2);

    /// <summary>Whether the call failed because the cluster was briefly unable to serve it (a silo
    /// dying or just dead, a call that timed out, two activations of a grain around a membership
    /// change, one refused by the other's state write), so the same call may succeed later.</summary>
    public static bool IsTransient(Exception e) =>
        e is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or Orleans.Storage.InconsistentStateException;
}

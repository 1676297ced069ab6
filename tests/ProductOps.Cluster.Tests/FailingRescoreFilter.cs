using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Fails the rescore queue's call backs (<see cref="IUserGrain.RescoreIfDue"/>) to users of the
/// <see cref="Tenant"/> tenant before they reach the grain, the next <see cref="FailNext"/> ones,
/// the way a user busy past the call timeout fails them. Everything else goes through untouched.
/// (The silos of a TestingHost cluster share this process, hence static.)
/// </summary>
public sealed class FailingRescoreFilter : IIncomingGrainCallFilter
{
    /// <summary>Test setting that installs the filter on every silo.</summary>
    public const string Setting = "ProductOps:Tests:FailingRescores";

    public const string Tenant = "failing-rescores";

    private static int s_toFail;
    private static int s_failed;

    /// <summary>Call backs failed so far.</summary>
    public static int Failed => Volatile.Read(ref s_failed);

    /// <summary>Makes the next <paramref name="calls"/> call backs fail.</summary>
    public static void FailNext(int calls) => Volatile.Write(ref s_toFail, calls);

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod.Name != nameof(IUserGrain.RescoreIfDue)
            || !context.TargetId.Key.ToString()!.StartsWith(Tenant + "/", StringComparison.Ordinal)
            || Interlocked.Decrement(ref s_toFail) < 0)
        {
            return context.Invoke();
        }

        Interlocked.Increment(ref s_failed);
        throw new TimeoutException($"injected: call back to {context.TargetId} timed out");
    }
}

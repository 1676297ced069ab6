using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Fails the next calls of one method of the <see cref="Tenant"/> tenant's at-risk feed before they
/// reach the grain, the way Orleans fails calls to a silo that died with them on their way.
/// Everything else goes through untouched. (The silos of a TestingHost cluster share this
/// process, hence static.)
/// </summary>
public sealed class FailingFeedFilter : IIncomingGrainCallFilter
{
    /// <summary>Test setting that installs the filter on every silo.</summary>
    public const string Setting = "ProductOps:Tests:FailingFeed";

    public const string Tenant = "failing-feed";

    private static string s_method = string.Empty;
    private static int s_toFail;
    private static int s_failed;

    /// <summary>Calls failed so far.</summary>
    public static int Failed => Volatile.Read(ref s_failed);

    /// <summary>Makes the next <paramref name="calls"/> calls of the methods whose names start with
    /// <paramref name="method"/> fail,
    /// counting failures from zero again.</summary>
    public static void FailNext(string method, int calls)
    {
        Volatile.Write(ref s_failed, 0);
        Volatile.Write(ref s_method, method);
        Volatile.Write(ref s_toFail, calls);
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        // A prefix: "Publish" fails PublishAfterDropped too, as a feed that cannot be reached would.
        if (!context.InterfaceMethod.Name.StartsWith(Volatile.Read(ref s_method), StringComparison.Ordinal)
            || context.TargetId.Key.ToString() != Tenant
            || Interlocked.Decrement(ref s_toFail) < 0)
        {
            return context.Invoke();
        }

        Interlocked.Increment(ref s_failed);
        throw new SiloUnavailableException($"injected: the silo holding {context.TargetId} died with the call on its way");
    }
}

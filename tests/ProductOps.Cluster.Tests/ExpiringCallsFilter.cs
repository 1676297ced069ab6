namespace ProductOps.Cluster.Tests;

/// <summary>
/// While <see cref="Failing"/> is set, the background services' keep-alive and polling calls fail
/// the way Orleans fails a call whose placement could not finish while a silo was being declared
/// dead: with an <see cref="OperationCanceledException"/>. (The silos of a TestingHost cluster
/// share this process, hence static.)
/// </summary>
public sealed class ExpiringCallsFilter : IIncomingGrainCallFilter
{
    /// <summary>Test setting that installs the filter on every silo.</summary>
    public const string Setting = "ProductOps:Tests:ExpiringCalls";

    private static readonly HashSet<string> BackgroundCalls = ["Ping", "Start", "GetOverrides", "GetLatest"];
    private static volatile bool s_failing;
    private static int s_pingsFailed;

    /// <summary>Partition keep-alive pings failed so far, to wait for keeper rounds.</summary>
    public static int PingsFailed => Volatile.Read(ref s_pingsFailed);

    public static bool Failing
    {
        get => s_failing;
        set => s_failing = value;
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        var method = context.InterfaceMethod.Name;
        if (!Failing || !BackgroundCalls.Contains(method))
        {
            return context.Invoke();
        }

        if (method == "Ping")
        {
            Interlocked.Increment(ref s_pingsFailed);
        }

        throw new OperationCanceledException($"Message expired before placement could complete for grain {context.TargetId} (test)");
    }
}

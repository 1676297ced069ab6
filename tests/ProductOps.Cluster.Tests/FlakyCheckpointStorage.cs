using Orleans.Storage;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Grain storage whose partition-state writes fail before they reach the store while
/// <see cref="Failing"/> is set, the way a database times out for a while. Everything else goes
/// through untouched. (The silos of a TestingHost cluster share this process, hence static.)
/// </summary>
public sealed class FlakyCheckpointStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>Test setting that puts this storage in front of the embedded one.</summary>
    public const string Setting = "ProductOps:Tests:FlakyCheckpoints";

    private static volatile bool s_failing;

    /// <summary>How many writes were made to fail, so a test can tell the fault was hit.</summary>
    public static int Failed => s_failed;

    private static int s_failed;

    public static bool Failing
    {
        get => s_failing;
        set => s_failing = value;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Failing && grainId.Type.ToString() == "partition")
        {
            Interlocked.Increment(ref s_failed);
            throw new TimeoutException($"injected: checkpoint write of {grainId} lost");
        }

        return inner.WriteStateAsync(stateName, grainId, grainState);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}

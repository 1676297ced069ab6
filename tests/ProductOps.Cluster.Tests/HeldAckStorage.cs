using System.Collections.Concurrent;
using Orleans.Storage;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Grain storage that, while <see cref="Holding"/>, stores a feature or an at-risk index shard of
/// the <see cref="Tenant"/> tenant at once but holds back the acknowledgement, the way a committed
/// database write's reply can still be on the wire (or a slow database takes its time). It notes the partition-0 watermark of every feature state it stored,
/// so a test can compare what a flush reports with what is really on disk. Everything else goes
/// through untouched. (The silos of a TestingHost cluster share this process, hence static.)
/// </summary>
public sealed class HeldAckStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>Test setting that puts this storage in front of the embedded one.</summary>
    public const string Setting = "ProductOps:Tests:HeldAcks";

    public const string Tenant = "held-acks";

    /// <summary>The xunit collection of every test that holds acknowledgements: the gates are
    /// static, so two such tests at once would take each other's.</summary>
    public const string Collection = "held acknowledgements";

    private static readonly ConcurrentDictionary<GrainId, long> s_storedWatermarks = new();
    private static TaskCompletionSource s_release = NewGate();
    private static TaskCompletionSource s_held = NewGate();

    public static bool Holding { get; private set; }

    /// <summary>Completes once a write has been stored and its acknowledgement is being held.</summary>
    public static Task WriteHeld => s_held.Task;

    public static long StoredWatermarkOf(GrainId grain) => s_storedWatermarks.GetValueOrDefault(grain);

    public static void Hold()
    {
        s_release = NewGate();
        s_held = NewGate();
        Holding = true;
    }

    public static void Release()
    {
        Holding = false;
        s_release.TrySetResult();
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (grainState.State is not (FeatureState or ChurnIndexState) || !grainId.Key.ToString()!.StartsWith(Tenant + "/", StringComparison.Ordinal))
        {
            return;
        }

        if (grainState.State is FeatureState feature)
        {
            s_storedWatermarks[grainId] = feature.Ledger.WatermarkOf(0);
        }

        if (Holding)
        {
            s_held.TrySetResult();
            await s_release.Task;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    private static TaskCompletionSource NewGate() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

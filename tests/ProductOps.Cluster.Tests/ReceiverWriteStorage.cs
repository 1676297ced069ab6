using System.Collections.Concurrent;
using Orleans.Storage;
using ProductOps.Domain;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Grain storage that notes every write of a receiver of the <see cref="Tenant"/> tenant (its own
/// record with how many changed counters it held, or its history with how many counters) and can
/// make one chosen write fail after it reached the store, the way a database's reply can be lost
/// after a commit. Everything else goes through untouched. (The silos of a TestingHost cluster
/// share this process, hence static.)
/// </summary>
public sealed class ReceiverWriteStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>Test setting that puts this storage in front of the embedded one.</summary>
    public const string Setting = "ProductOps:Tests:ReceiverWrites";

    public const string Tenant = "receiver-writes";

    /// <summary>The xunit collection of the tests that use it: its notes and fault are static.</summary>
    public const string Collection = "receiver writes";

    private static readonly ConcurrentQueue<(GrainId Grain, string State, int Counters)> s_writes = new();
    private static (string State, int Nth)? s_failing;
    private static int s_seen;

    /// <summary>Makes the <paramref name="nth"/> write (from 1) of <paramref name="state"/> from now
    /// on fail once it is stored.</summary>
    public static void FailAfterStoring(string state, int nth)
    {
        s_seen = 0;
        s_failing = (state, nth);
    }

    /// <summary>The writes of <paramref name="grain"/> since the last call, oldest first.</summary>
    public static List<(string State, int Counters)> TakeWrites(GrainId grain)
    {
        var mine = new List<(string, int)>();
        var others = new List<(GrainId, string, int)>();
        while (s_writes.TryDequeue(out var write))
        {
            if (write.Grain == grain)
            {
                mine.Add((write.State, write.Counters));
            }
            else
            {
                others.Add(write);
            }
        }

        others.ForEach(s_writes.Enqueue);
        return mine;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        await inner.WriteStateAsync(stateName, grainId, grainState);
        if (!grainId.Key.ToString()!.StartsWith(Tenant + "/", StringComparison.Ordinal) && grainId.Key.ToString() != Tenant)
        {
            return;
        }

        var counters = grainState.State switch
        {
            IReceiverRecord record => record.Changes.Count,
            CounterValues history => history.Count,
            _ => -1,
        };
        s_writes.Enqueue((grainId, stateName, counters));
        if (s_failing is { } failing && failing.State == stateName && Interlocked.Increment(ref s_seen) == failing.Nth)
        {
            s_failing = null;
            throw new TimeoutException($"injected: the reply to {stateName} write of {grainId} was lost");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}

using System.Collections.Concurrent;
using Orleans.Storage;
using ProductOps.Domain;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// Grain storage that notes every write of a receiver of the <see cref="Tenant"/> tenant (its own
/// record with how many changed counters it held, or its history with how many counters) and can
/// make chosen writes fail (<see cref="Fault"/>). Everything else goes through untouched. (The
/// silos of a TestingHost cluster share this process, hence static; <see cref="Reset"/> before each test.)
/// </summary>
public sealed class ReceiverWriteStorage(IGrainStorage inner) : IGrainStorage
{
    /// <summary>Test setting that puts this storage in front of the embedded one.</summary>
    public const string Setting = "ProductOps:Tests:ReceiverWrites";

    public const string Tenant = "receiver-writes";

    /// <summary>The xunit collection of the tests that use it: its notes and faults are static.</summary>
    public const string Collection = "receiver writes";

    private static readonly ConcurrentDictionary<GrainId, ConcurrentQueue<(string State, int Counters)>> s_writes = new();
    private static readonly Lock s_lock = new();
    private static (string State, int Nth, Fault Kind)? s_fault;
    private static int s_seen;
    private static GrainId? s_down;

    public enum Fault
    {
        /// <summary>The write fails before it reaches the store, once.</summary>
        BeforeStoring,

        /// <summary>The write is stored but its reply is lost: the caller keeps the etag it had, once.</summary>
        ReplyLost,

        /// <summary>The write and every later write of the same grain fail before reaching the store,
        /// as when its silo dies there, until <see cref="Reset"/>.</summary>
        StoreGone,
    }

    /// <summary>Makes the <paramref name="nth"/> write (from 1) of <paramref name="state"/> from now on fail.</summary>
    public static void Fail(string state, int nth, Fault kind)
    {
        lock (s_lock)
        {
            s_seen = 0;
            s_fault = (state, nth, kind);
        }
    }

    /// <summary>Whether the fault set by <see cref="Fail"/> is still to come (false once it struck).</summary>
    public static bool FaultArmed
    {
        get
        {
            lock (s_lock)
            {
                return s_fault is not null;
            }
        }
    }

    /// <summary>Forgets every note and fault.</summary>
    public static void Reset()
    {
        lock (s_lock)
        {
            s_writes.Clear();
            s_fault = null;
            s_down = null;
        }
    }

    /// <summary>The writes of <paramref name="grain"/> that reached the store since the last call, oldest first.</summary>
    public static List<(string State, int Counters)> TakeWrites(GrainId grain)
    {
        var taken = new List<(string, int)>();
        if (s_writes.TryGetValue(grain, out var writes))
        {
            while (writes.TryDequeue(out var write))
            {
                taken.Add(write);
            }
        }

        return taken;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = grainId.Key.ToString()!;
        if (key != Tenant && !key.StartsWith(Tenant + "/", StringComparison.Ordinal))
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        var fault = FaultFor(stateName, grainId);
        if (fault is Fault.BeforeStoring or Fault.StoreGone)
        {
            throw new TimeoutException($"injected: {stateName} write of {grainId} never reached the store");
        }

        var (etag, existed) = (grainState.ETag, grainState.RecordExists);
        await inner.WriteStateAsync(stateName, grainId, grainState);
        s_writes.GetOrAdd(grainId, _ => new()).Enqueue((stateName, grainState.State switch
        {
            IReceiverRecord record => record.Changes.Count,
            CounterValues history => history.Count,
            _ => -1,
        }));
        if (fault == Fault.ReplyLost)
        {
            (grainState.ETag, grainState.RecordExists) = (etag, existed);
            throw new TimeoutException($"injected: the reply to {stateName} write of {grainId} was lost");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);

    private static Fault? FaultFor(string stateName, GrainId grainId)
    {
        lock (s_lock)
        {
            if (s_down == grainId)
            {
                return Fault.StoreGone;
            }

            if (s_fault is not { } fault || fault.State != stateName || ++s_seen != fault.Nth)
            {
                return null;
            }

            s_fault = null;
            if (fault.Kind == Fault.StoreGone)
            {
                s_down = grainId;
            }

            return fault.Kind;
        }
    }
}

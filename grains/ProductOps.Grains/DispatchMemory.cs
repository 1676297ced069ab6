using System.Collections.Concurrent;

namespace ProductOps.Grains;

/// <summary>
/// How many committed, not yet dispatched events each partition active on this silo holds in
/// memory: at most <see cref="PartitionGrain.HeldCyclesOfEvents"/> times MaxDispatchEvents each,
/// whatever the backlog (dispatch reads the rest from the log). For diagnostics.
/// </summary>
public sealed class DispatchMemory
{
    private readonly ConcurrentDictionary<int, HeldEvents> _held = new();

    /// <summary>Events partition <paramref name="partition"/> holds now; 0 when it is not active here.</summary>
    public int Held(int partition) => _held.TryGetValue(partition, out var held) ? held.Count : 0;

    internal void Track(int partition, HeldEvents held) => _held[partition] = held;

    internal void Untrack(int partition, HeldEvents held) => _held.TryRemove(KeyValuePair.Create(partition, held));
}

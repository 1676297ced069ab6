using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>Bytes per active user grain: the node's RSS (summed over a cluster's silo and gateway
/// processes) after activating N new users (each with a few events, so its grain holds real
/// state), minus the RSS just before, over N. Beside it, the same for the live managed heap
/// after a full collection (<see cref="ManagedHeap"/>).</summary>
/// <remarks>RSS is what the operator pays for; it also holds whatever garbage the GC has not yet
/// returned and the ingest path's buffers, so it overstates the grain's own heap. The live heap
/// is what the grains and their state hold, Orleans' per-activation objects included. The
/// baseline's collection runs before the RSS baseline is read, so it does not lower the "after"
/// RSS against a "before" taken on an uncollected heap.</remarks>
internal sealed class MemoryPhase(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
    NodeProcesses node, TextWriter progress)
{
    private const int ChunkEvents = 40_000;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private double _seconds;
    private long? _before;
    private long? _after;
    private long? _heapBefore;
    private long? _heapAfter;
    private string? _heapSkipped;
    private bool _drained;
    private string? _skipped;

    public double? BytesPerUser => PerUser(_before, _after);

    public double? LiveHeapBytesPerUser => PerUser(_heapBefore, _heapAfter);

    public async Task RunAsync(CancellationToken token)
    {
        if (!node.Known)
        {
            _skipped = "no node PID (external node without --node-pid)";
            await progress.WriteLineAsync($"Memory: skipped, {_skipped}");
            return;
        }

        var batches = workload.PrepareUserActivation(options.MemoryUsers, options.MemoryEventsPerUser, options.BatchSize,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await connection.WaitForAggregatesAsync(TimeSpan.FromSeconds(60), token);
        _heapBefore = await LiveHeapAsync(token);
        await Task.Delay(Settle, token);
        _before = ProcessCpu.RssBytes(node.Pids);
        await progress.WriteLineAsync($"Memory: activating {options.MemoryUsers:N0} users ({options.MemoryEventsPerUser} events each) "
            + $"in chunks of {ChunkEvents:N0} events; RSS before {_before / 1048576.0:F0} MiB, live heap {_heapBefore / 1048576.0:F0} MiB");
        var driver = new StreamLoadDriver(connection, options.Streams, options.InFlight, node);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        _drained = true;

        // In chunks, letting the aggregates catch up after each: this phase measures what active
        // grains cost, not how fast a storm of activations can be absorbed (the ingest phases do that).
        var perChunk = Math.Max(1, ChunkEvents / options.BatchSize);
        for (var first = 0; first < batches.Length; first += perChunk)
        {
            var chunk = batches[first..Math.Min(batches.Length, first + perChunk)];
            var load = await driver.RunAsync(chunk, null, TimeSpan.FromMinutes(10), token);
            if (load.Error is not null)
            {
                throw new InvalidOperationException($"memory phase ingest failed: {load.Error}");
            }

            _drained &= await connection.WaitForAggregatesAsync(TimeSpan.FromSeconds(60), token);
        }

        _seconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(Settle, token);
        _after = ProcessCpu.RssBytes(node.Pids);
        _heapAfter = _heapBefore is null ? null : await LiveHeapAsync(token);
        await progress.WriteLineAsync($"  RSS after {_after / 1048576.0:F0} MiB: {BytesPerUser:N0} bytes per user; "
            + (_heapSkipped is null ? $"live heap after {_heapAfter / 1048576.0:F0} MiB: {LiveHeapBytesPerUser:N0} bytes per user" : $"live heap not read ({_heapSkipped})"));
    }

    /// <summary>What the phase's users added, per user; null when either reading is missing.</summary>
    private double? PerUser(long? before, long? after) =>
        before is { } b && after is { } a ? (double)(a - b) / options.MemoryUsers : null;

    private async Task<long?> LiveHeapAsync(CancellationToken token)
    {
        try
        {
            return await ManagedHeap.LiveBytesAsync(node.Pids, token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // Another user's process, diagnostics turned off (DOTNET_EnableDiagnostics=0), a node
            // that does not answer: the RSS figure stands on its own.
            _heapSkipped = $"{e.GetType().Name}: {e.Message}";
            return null;
        }
    }

    public JsonObject ToJson() => new()
    {
        ["users"] = options.MemoryUsers,
        ["events_per_user"] = options.MemoryEventsPerUser,
        ["rss_before_bytes"] = _before,
        ["rss_after_bytes"] = _after,
        ["bytes_per_user"] = BytesPerUser is { } b ? Math.Round(b) : null,
        ["live_heap_before_bytes"] = _heapBefore,
        ["live_heap_after_bytes"] = _heapAfter,
        ["live_heap_bytes_per_user"] = LiveHeapBytesPerUser is { } h ? Math.Round(h) : null,
        ["live_heap_skipped"] = _heapSkipped,
        ["aggregates_caught_up"] = _drained,
        ["activation_seconds"] = Math.Round(_seconds, 1),
        ["users_activated_per_sec"] = _seconds > 0 ? Math.Round(options.MemoryUsers / _seconds) : null,
        ["skipped"] = _skipped,
    };
}

using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ProductOps.Bench;

/// <summary>
/// The node's live managed heap: each process is made to run a full blocking collection through
/// its diagnostics port (the runtime's GC heap-collect request, as <c>dotnet-gcdump</c> makes it),
/// and what survived that collection is read from the runtime's own GC events. Unlike
/// RSS, it leaves out what the collector keeps or has not yet returned.
/// </summary>
internal static class ManagedHeap
{
    /// <summary>The runtime provider's GC keyword: a few events per collection.</summary>
    internal const long GCKeyword = 0x1;
    private const long GCHeapCollectKeyword = 0x800000;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>The processes' heaps summed, in bytes, after a full collection each.</summary>
    public static async Task<long> LiveBytesAsync(IEnumerable<int> pids, CancellationToken token)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            total += await LiveBytesAsync(pid, token);
        }

        return total;
    }

    private static async Task<long> LiveBytesAsync(int pid, CancellationToken token)
    {
        var client = new DiagnosticsClient(pid);
        var provider = new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, GCKeyword | GCHeapCollectKeyword);
        using var session = client.StartEventPipeSession(provider, requestRundown: false);
        using var source = new EventPipeEventSource(session.EventStream);
        var liveAfterFullCollection = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fullCollectionRunning = false;

        // The induced collection is a blocking gen2 one; a background gen2 that happens to run
        // has young collections inside it whose statistics would be read instead.
        source.Clr.GCStart += start => fullCollectionRunning |= start.Depth == 2 && start.Type != GCType.BackgroundGC;
        source.Clr.GCHeapStats += stats =>
        {
            if (fullCollectionRunning)
            {
                // What survived each generation (the live bytes, not the free space a collection
                // that did not compact leaves), and the pinned-object heap, whose survivors are not counted.
                liveAfterFullCollection.TrySetResult(
                    stats.TotalPromotedSize0 + stats.TotalPromotedSize1 + stats.TotalPromotedSize2 + stats.TotalPromotedSize3 + stats.GenerationSize4);
            }
        };
        var reading = Task.Run(source.Process, token);
        try
        {
            return await liveAfterFullCollection.Task.WaitAsync(Patience, token);
        }
        finally
        {
            await session.StopAsync(token);
            await reading.WaitAsync(Patience, token);
        }
    }
}

using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;

namespace ProductOps.Bench;

/// <summary>Sends prepared batches over several TrackStreams, each with at most <c>inFlight</c>
/// unacknowledged batches, and measures each batch's ack latency.</summary>
/// <remarks>
/// Closed loop (no rate): a stream sends whenever its window has room; this finds saturation.
/// Open loop (a rate): batch k is due at start + k * batchInterval whatever happened before, and
/// its latency counts from when it was due (or was sent, if earlier: <see cref="OpenLoop"/>), so a
/// stalled server is charged for the batches it kept waiting (no coordinated omission).
/// </remarks>
internal sealed class StreamLoadDriver(BenchConnection connection, int streams, int inFlight, NodeProcesses node)
{
    /// <summary>The background load the under-load phases measure in: the workload's next events at
    /// <paramref name="rate"/> for <paramref name="duration"/>. The batches are prepared before this
    /// returns, so the load starts at once.</summary>
    public static Task<LoadResult> IngestAtRateAsync(BenchOptions options, BenchConnection connection, WorkloadGenerator workload,
        NodeProcesses node, double rate, TimeSpan duration, CancellationToken token)
    {
        var batches = workload.PrepareBatches((long)(rate * duration.TotalSeconds) + options.BatchSize, options.BatchSize);
        return new StreamLoadDriver(connection, options.Streams, options.InFlight, node).RunAsync(batches, rate, duration, token);
    }

    public async Task<LoadResult> RunAsync(PreparedBatch[] batches, double? eventsPerSec, TimeSpan duration,
        CancellationToken cancellationToken)
    {
        var recorder = new LatencyRecorder();
        var eventsPerBatch = batches.Length == 0 ? 1 : batches.Average(b => b.Events);
        var ticksPerBatch = eventsPerSec is { } rate ? eventsPerBatch / rate * Stopwatch.Frequency : 0;
        long acked = 0, rejected = 0, lastAck = 0;
        var cpu = ProcessCpu.Start(node);
        var gc = NodeGcPauses.Start(node);
        var start = Stopwatch.GetTimestamp();
        var stopAt = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        string? error = null;

        async Task RunStream(int s)
        {
            using var call = connection.OpenTrackStream(cancellationToken);
            using var window = new SemaphoreSlim(inFlight);
            var due = new ConcurrentQueue<(long Start, int Events)>();
            var reader = Task.Run(async () =>
            {
                while (await call.ResponseStream.MoveNext(cancellationToken))
                {
                    var response = call.ResponseStream.Current;
                    due.TryDequeue(out var sent);
                    recorder.Add(LatencyRecorder.MsSince(sent.Start));
                    Interlocked.Add(ref acked, response.Accepted + response.Duplicates);
                    Interlocked.Add(ref rejected, response.Rejected.Count);
                    Interlocked.Exchange(ref lastAck, Stopwatch.GetTimestamp());
                    window.Release();
                }
            }, cancellationToken);

            for (long k = s; k < batches.Length; k += streams)
            {
                long sentAt;
                if (eventsPerSec is not null)
                {
                    sentAt = start + (long)(k * ticksPerBatch);
                    if (sentAt >= stopAt)
                    {
                        break;
                    }

                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), sentAt);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait, cancellationToken);
                    }

                    await window.WaitAsync(cancellationToken);
                    sentAt = OpenLoop.LatencyStart(sentAt);
                }
                else
                {
                    await window.WaitAsync(cancellationToken);
                    sentAt = Stopwatch.GetTimestamp();
                    if (sentAt >= stopAt)
                    {
                        window.Release();
                        break;
                    }
                }

                due.Enqueue((sentAt, batches[k].Events));
                await call.RequestStream.WriteAsync(batches[k].Payload, cancellationToken);
            }

            await call.RequestStream.CompleteAsync();
            await reader;
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(() => RunStream(s), cancellationToken)));
        }
        catch (RpcException failure)
        {
            error = $"{failure.StatusCode}: {failure.Status.Detail}";
        }

        var end = Interlocked.Read(ref lastAck);
        var seconds = end > start ? Stopwatch.GetElapsedTime(start, end).TotalSeconds : 0;
        var cpuUsed = cpu.Stop();
        return new LoadResult(eventsPerSec is null ? "closed-loop" : "open-loop", eventsPerSec, acked, rejected,
            seconds, recorder.Summary(), cpuUsed, await gc.StopAsync(), error);
    }
}

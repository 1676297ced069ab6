using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ProductOps.Bench;

/// <summary>
/// The node's collections and pauses over a load step, from the runtime's GC events read through
/// each process's diagnostics port: every p99 this harness reports is set by these pauses (the
/// ninth and fifteenth rounds of docs/benchmarks.md), so each step says how long the node stood
/// still. A pause is the time from the runtime's suspension of managed threads to their restart,
/// as the collector's own events time it; a background gen2 collection pauses twice, briefly.
/// </summary>
/// <remarks>Only the GC keyword at the informational level: a few events per collection, none per
/// allocation, so reading them costs the node nothing measurable.</remarks>
internal sealed class NodeGcPauses
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly List<Reader> _readers;
    private readonly string? _skipped;

    private NodeGcPauses(List<Reader> readers, string? skipped)
    {
        _readers = readers;
        _skipped = skipped;
    }

    /// <summary>Starts reading every process of the node; a node whose PIDs are unknown, or one
    /// whose diagnostics port cannot be reached, gives a step without GC figures, not an error.</summary>
    public static NodeGcPauses Start(NodeProcesses node)
    {
        if (!node.Known)
        {
            return new([], "no node PID (external node without --node-pid)");
        }

        var readers = new List<Reader>();
        try
        {
            foreach (var pid in node.Pids)
            {
                readers.Add(Reader.Start(pid));
            }

            return new(readers, null);
        }
        catch (Exception failure) when (failure is DiagnosticsClientException or ServerNotAvailableException or IOException or UnauthorizedAccessException)
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }

            return new([], $"diagnostics port not reachable: {failure.GetType().Name}");
        }
    }

    /// <summary>Ends the sessions and sums what they saw.</summary>
    public async Task<GcPauseSummary?> StopAsync()
    {
        if (_readers.Count == 0)
        {
            return null;
        }

        var counts = new List<GcPauseSummary>();
        foreach (var reader in _readers)
        {
            counts.Add(await reader.StopAsync());
        }

        return GcPauseSummary.Combine(counts);
    }

    /// <summary>Why a step has no GC figures, if it has none.</summary>
    public string? Skipped => _readers.Count == 0 ? _skipped : null;

    /// <summary>One process's session and what it has seen so far.</summary>
    private sealed class Reader : IDisposable
    {
        private readonly EventPipeSession _session;
        private readonly EventPipeEventSource _source;
        private readonly Task _reading;
        private readonly List<double> _pausesMs = [];
        private readonly int[] _byGeneration = new int[3];
        private readonly DateTime _started = DateTime.UtcNow;
        private int _background;
        private double? _suspendedAtMs;

        private Reader(EventPipeSession session)
        {
            _session = session;
            _source = new EventPipeEventSource(session.EventStream);
            _source.Clr.GCStart += Started;
            _source.Clr.GCSuspendEEStart += data => _suspendedAtMs = data.TimeStampRelativeMSec;
            _source.Clr.GCRestartEEStop += Restarted;
            _reading = Task.Run(_source.Process);
        }

        public static Reader Start(int pid)
        {
            var provider = new EventPipeProvider(ClrTraceEventParser.ProviderName, EventLevel.Informational, ManagedHeap.GCKeyword);
            return new Reader(new DiagnosticsClient(pid).StartEventPipeSession(provider, requestRundown: false));
        }

        private void Started(GCStartTraceData data)
        {
            if (data.Type == GCType.BackgroundGC)
            {
                _background++;
            }

            _byGeneration[Math.Clamp(data.Depth, 0, 2)]++;
        }

        private void Restarted(GCNoUserDataTraceData data)
        {
            // A restart with no suspension seen began before the session did: not counted.
            if (_suspendedAtMs is { } suspended)
            {
                _pausesMs.Add(data.TimeStampRelativeMSec - suspended);
                _suspendedAtMs = null;
            }
        }

        public async Task<GcPauseSummary> StopAsync()
        {
            var seconds = (DateTime.UtcNow - _started).TotalSeconds;
            try
            {
                // Stopping flushes the process's buffers; the events are all read once the stream ends.
                await _session.StopAsync(CancellationToken.None);
                await _reading.WaitAsync(Patience);
            }
            finally
            {
                Dispose();
            }

            return new GcPauseSummary(_byGeneration[0], _byGeneration[1], _byGeneration[2], _background, [.. _pausesMs], seconds, 1);
        }

        public void Dispose()
        {
            _source.Dispose();
            _session.Dispose();
        }
    }
}

/// <summary>Collections and pauses of the node's processes over one step. With several processes
/// (a cluster), the counts and pauses are summed, the longest is the longest of any, and the share
/// paused is the processes' average.</summary>
internal sealed record GcPauseSummary(int Gen0, int Gen1, int Gen2, int Background, double[] PausesMs, double Seconds, int Processes)
{
    public double PausedMs => PausesMs.Sum();

    public double LongestMs => PausesMs.Length == 0 ? 0 : PausesMs.Max();

    public double PausedPercent => Seconds > 0 ? PausedMs / (Seconds * 1000 * Processes) * 100 : 0;

    public static GcPauseSummary Combine(IReadOnlyList<GcPauseSummary> parts) => new(
        parts.Sum(p => p.Gen0), parts.Sum(p => p.Gen1), parts.Sum(p => p.Gen2), parts.Sum(p => p.Background),
        [.. parts.SelectMany(p => p.PausesMs)], parts.Max(p => p.Seconds), parts.Sum(p => p.Processes));

    /// <summary>The median pause, in ms (0 with none).</summary>
    public double MedianMs
    {
        get
        {
            if (PausesMs.Length == 0)
            {
                return 0;
            }

            var sorted = PausesMs.Order().ToArray();
            return sorted[sorted.Length / 2];
        }
    }

    public JsonObject ToJson() => new()
    {
        ["collections"] = new JsonObject
        {
            ["gen0"] = Gen0,
            ["gen1"] = Gen1,
            ["gen2"] = Gen2,
            ["background_gen2"] = Background,
        },
        ["pauses"] = PausesMs.Length,
        ["paused_ms"] = Math.Round(PausedMs, 1),
        ["paused_percent"] = Math.Round(PausedPercent, 1),
        ["pause_median_ms"] = Math.Round(MedianMs, 2),
        ["pause_longest_ms"] = Math.Round(LongestMs, 2),
    };

    /// <summary>One line for the progress output.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"GC {Gen0}/{Gen1}/{Gen2} (gen0/1/2), paused {PausedPercent:F1}% (median {MedianMs:F1} ms, longest {LongestMs:F1} ms)");
}

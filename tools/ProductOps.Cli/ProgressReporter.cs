using System.Diagnostics;
using ProductOps.Client;

namespace ProductOps.Cli;

/// <summary>A live line on stderr: events sent, acknowledged, and the current rate.</summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    private readonly ProductOpsClient _client;
    private readonly TextWriter _output;
    private readonly bool _redraw;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public ProgressReporter(ProductOpsClient client, TextWriter output, bool redraw)
    {
        _client = client;
        _output = output;
        _redraw = redraw;
        _loop = RunAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        // A redrawn line can tick often; a log (stderr redirected) gets a line every few seconds.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_redraw ? 500 : 5_000));
        var lastAcked = 0L;
        var lastTick = Stopwatch.GetTimestamp();
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var stats = _client.Stats;
                var elapsed = Stopwatch.GetElapsedTime(lastTick).TotalSeconds;
                var rate = elapsed > 0 ? (stats.EventsAcknowledged - lastAcked) / elapsed : 0;
                lastAcked = stats.EventsAcknowledged;
                lastTick = Stopwatch.GetTimestamp();
                Write(stats, rate);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        Write(_client.Stats, rate: null);
        if (_redraw)
        {
            _output.WriteLine();
        }
    }

    private void Write(ProductOpsClientStats stats, double? rate)
    {
        var line = $"  sent {CliFormat.Count(stats.EventsSent)} · acked {CliFormat.Count(stats.EventsAcknowledged)}"
            + (rate is { } r ? $" · {CliFormat.Count((long)r)} events/s" : string.Empty)
            + (stats.Retries > 0 ? $" · retries {CliFormat.Count(stats.Retries)}" : string.Empty);
        if (_redraw)
        {
            _output.Write("\r" + line.PadRight(72));
        }
        else
        {
            _output.WriteLine(line);
        }
    }
}

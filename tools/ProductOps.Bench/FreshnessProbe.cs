using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>Time from ack to visible: sends one event for a new user and a new feature with a unary
/// Track (acked after commit), then polls GetUser and GetFeature until each shows it.</summary>
internal sealed class FreshnessProbe(BenchConnection connection, string runId)
{
    /// <summary>How long a probe polls for its event before it counts as timed out.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public LatencyRecorder User { get; } = new();

    public LatencyRecorder Feature { get; } = new();

    public int TimedOut { get; private set; }

    /// <summary>Probes whose event was not acknowledged (the node refused or timed out).</summary>
    public int Failed { get; private set; }

    public async Task ProbeAsync(int n, CancellationToken token)
    {
        var user = $"p{runId}-{n}";
        var feature = $"probe_{runId}_{n}";
        var request = new TrackRequest { BatchId = $"{runId}-probe-{n}" };
        request.Events.Add(new Event
        {
            EventId = $"{runId}-probe-{n}",
            UserId = user,
            Name = "feature_used",
            Feature = feature,
            Timestamp = Timestamp.FromDateTime(DateTime.UtcNow),
        });
        TrackResponse response;
        try
        {
            response = await connection.Ingest.TrackAsync(request, connection.IngestCall(token));
        }
        catch (RpcException)
        {
            Failed++;
            return;
        }

        if (response.Accepted != 1)
        {
            Failed++;
            return;
        }

        var acked = Stopwatch.GetTimestamp();
        var results = await Task.WhenAll(
            PollAsync(acked, async () => (await connection.Query.GetUserAsync(
                new GetUserRequest { UserId = user }, connection.ReadCall(token))).EventCount >= 1, token),
            PollAsync(acked, async () => (await connection.Query.GetFeatureAsync(
                new GetFeatureRequest { Feature = feature }, connection.ReadCall(token))).EventsAllTime >= 1, token));
        Record(results[0], results[1]);
    }

    /// <summary>One acknowledged probe's times to visible, null where it never became visible.
    /// A probe that timed out is counted at the timeout, a lower bound of its freshness: left out,
    /// the percentiles would be those of the probes that made it, and a node that never showed
    /// some events could read as fresh.</summary>
    internal void Record(double? userMs, double? featureMs)
    {
        User.Add(userMs ?? Timeout.TotalMilliseconds);
        Feature.Add(featureMs ?? Timeout.TotalMilliseconds);
        if (userMs is null || featureMs is null)
        {
            TimedOut++;
        }
    }

    private static async Task<double?> PollAsync(long acked, Func<Task<bool>> visible, CancellationToken token)
    {
        while (Stopwatch.GetElapsedTime(acked) < Timeout)
        {
            try
            {
                if (await visible())
                {
                    return LatencyRecorder.MsSince(acked);
                }
            }
            catch (RpcException)
            {
                // NotFound: not visible yet. Unavailable/DeadlineExceeded: a busy node; keep polling.
            }

            await Task.Delay(1, token);
        }

        return null;
    }
}

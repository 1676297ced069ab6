using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;

namespace ProductOps.Bench;

/// <summary>The seeded synthetic workload: event number i is a pure function of (seed, i), so the
/// PostgreSQL baseline and ProductOps get the same events. Users and features are skewed (a few
/// are much more active than the rest); timestamps move forward over the last <c>days</c> days,
/// <c>datasetEvents</c> events spanning the window, like a product's recent history.</summary>
internal sealed class WorkloadGenerator
{
    private const long MsPerDay = 86_400_000;
    private static readonly string[] Names = ["feature_used", "feature_used", "feature_used", "feature_used",
        "feature_used", "feature_used", "page_view", "session_started", "purchase", "feedback"];

    private readonly int _seed;
    private readonly int _users;
    private readonly string[] _features;
    private readonly string _runId;
    private readonly long _startMs;
    private readonly double _stepMs;
    private readonly long _datasetEvents;
    private long _next;

    public WorkloadGenerator(int seed, int users, int features, int days, long datasetEvents, string runId, DateTimeOffset now)
    {
        _seed = seed;
        _users = users;
        _features = [.. Enumerable.Range(0, features).Select(f => $"feature_{f:D3}")];
        _runId = runId;
        var today = now.ToUnixTimeMilliseconds() / MsPerDay * MsPerDay;
        _startMs = today - (days * MsPerDay);
        _datasetEvents = Math.Max(datasetEvents, 1);
        _stepMs = (double)(days * MsPerDay) / _datasetEvents;
    }

    public IReadOnlyList<string> Features => _features;

    public int Users => _users;

    public DateTimeOffset WindowStart => DateTimeOffset.FromUnixTimeMilliseconds(_startMs);

    public DateTimeOffset WindowEnd => DateTimeOffset.FromUnixTimeMilliseconds(_startMs + (long)(_stepMs * _datasetEvents));

    public static string UserId(int index) => "u" + index.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Reserves the next <paramref name="count"/> event numbers of the sequence.</summary>
    public long Take(long count) => Interlocked.Add(ref _next, count) - count;

    /// <summary>A user index drawn with the same skew as the events (for queries).</summary>
    public int UserIndex(ulong draw) => Skewed(draw, _users);

    public WorkloadEvent Create(long i)
    {
        var h = Mix((ulong)_seed, (ulong)i);
        var user = Skewed(h, _users);
        var h2 = Mix(h, 0x9E37);
        var feature = _features[Skewed(h2, _features.Length)];
        var name = Names[(int)((h2 >> 40) % (ulong)Names.Length)];
        var ts = _startMs + (long)(_stepMs * (i % _datasetEvents));
        var value = name == "purchase" ? ((h >> 20) % 10_000) / 100.0 : 0;
        return new WorkloadEvent(
            EventId(i), UserId(user), name, feature, ts, value,
            "s" + user.ToString(CultureInfo.InvariantCulture) + "-" + (ts / 1_800_000).ToString(CultureInfo.InvariantCulture));
    }

    public static Event ToContract(in WorkloadEvent e) => new()
    {
        EventId = e.EventId,
        UserId = e.UserId,
        Name = e.Name,
        Feature = e.Feature,
        Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampMs)),
        Value = e.Value,
        SessionId = e.SessionId,
    };

    /// <summary>The next <paramref name="events"/> events of the sequence, as serialized batches.</summary>
    public PreparedBatch[] PrepareBatches(long events, int batchSize)
    {
        var first = Take(events);
        var batches = new PreparedBatch[(events + batchSize - 1) / batchSize];
        Parallel.For(0, batches.Length, b =>
        {
            var request = new TrackRequest { BatchId = $"{_runId}-b{first + ((long)b * batchSize):x}" };
            var end = Math.Min(events, ((long)b + 1) * batchSize);
            for (var i = (long)b * batchSize; i < end; i++)
            {
                request.Events.Add(ToContract(Create(first + i)));
            }

            batches[b] = new PreparedBatch(request.ToByteArray(), request.Events.Count);
        });
        return batches;
    }

    /// <summary>Batches that activate <paramref name="users"/> new users (ids unique to this run),
    /// each with <paramref name="eventsPerUser"/> events now, spread over the features.</summary>
    public PreparedBatch[] PrepareUserActivation(int users, int eventsPerUser, int batchSize, long nowMs)
    {
        var total = (long)users * eventsPerUser;
        var batches = new PreparedBatch[(total + batchSize - 1) / batchSize];
        Parallel.For(0, batches.Length, b =>
        {
            var request = new TrackRequest { BatchId = $"{_runId}-m{b:x}" };
            var end = Math.Min(total, ((long)b + 1) * batchSize);
            for (var i = (long)b * batchSize; i < end; i++)
            {
                // Interleave users so each batch mixes many of them, as live traffic does.
                var user = (int)(i % users);
                var nth = (int)(i / users);
                request.Events.Add(new Event
                {
                    EventId = $"{_runId}-m{i:x}",
                    UserId = $"m{_runId}-{user}",
                    Name = "feature_used",
                    Feature = _features[(user + nth) % _features.Length],
                    Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(nowMs - 60_000 + nth)),
                });
            }

            batches[b] = new PreparedBatch(request.ToByteArray(), request.Events.Count);
        });
        return batches;
    }

    private string EventId(long i) => _runId + "-" + i.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Roughly Zipf-like: squaring a uniform draw favours low indices.</summary>
    private static int Skewed(ulong draw, int n)
    {
        var u = (draw >> 11) * (1.0 / (1UL << 53));
        return Math.Min(n - 1, (int)(u * u * n));
    }

    private static ulong Mix(ulong a, ulong b)
    {
        var z = a ^ (b * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

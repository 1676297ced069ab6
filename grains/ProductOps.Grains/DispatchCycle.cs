using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// One dispatch cycle's events with the deltas their user grains returned, rolled up per
/// receiver in one pass. Keeps each event's deltas so a receiver that already holds part of the
/// range can be sent exactly the rest.
/// </summary>
internal sealed class DispatchCycle
{
    private readonly IReadOnlyList<LoggedEvent> _events;
    private readonly IReadOnlyList<CounterDelta[]> _deltas;
    private readonly Dictionary<ReceiverKey, RollUpBuilder> _rollUps;

    public DispatchCycle(IReadOnlyList<LoggedEvent> events, IReadOnlyList<CounterDelta[]> deltas)
    {
        _events = events;
        _deltas = deltas;
        FromSeq = events[0].Seq - 1;
        UpToSeq = events[^1].Seq;
        _rollUps = Build(afterSeq: FromSeq, only: null);
    }

    public long FromSeq { get; }

    public long UpToSeq { get; }

    public IEnumerable<ReceiverKey> Receivers => _rollUps.Keys;

    /// <summary>The receiver's rolled-up counters for the whole cycle.</summary>
    public (IReadOnlyList<CounterDelta> Counters, DispatchInfo Info) RollUp(ReceiverKey receiver) => _rollUps[receiver].Build(receiver);

    /// <summary>The receiver's rolled-up counters for events with seq above <paramref name="afterSeq"/>.</summary>
    public (IReadOnlyList<CounterDelta> Counters, DispatchInfo Info) RollUp(ReceiverKey receiver, long afterSeq) =>
        Build(afterSeq, receiver).TryGetValue(receiver, out var builder)
            ? builder.Build(receiver)
            : ([], DispatchInfo.None);

    private Dictionary<ReceiverKey, RollUpBuilder> Build(long afterSeq, ReceiverKey? only)
    {
        var builders = new Dictionary<ReceiverKey, RollUpBuilder>();
        for (var i = 0; i < _events.Count; i++)
        {
            var logged = _events[i];
            if (logged.Seq <= afterSeq)
            {
                continue;
            }

            var tenant = logged.Event.Tenant;
            var tenantKey = new ReceiverKey(tenant, string.Empty);
            foreach (var delta in _deltas[i])
            {
                var key = delta.Feature.Length == 0 ? tenantKey : new ReceiverKey(tenant, delta.Feature);
                if (only is { } wanted && key != wanted && !(wanted.IsTenant && wanted.Tenant == tenant))
                {
                    continue;
                }

                if (!builders.TryGetValue(key, out var builder))
                {
                    builders[key] = builder = new RollUpBuilder();
                }

                builder.Add(delta);
                if (!key.IsTenant)
                {
                    // The tenant learns the features its events touched.
                    if (!builders.TryGetValue(tenantKey, out var tenantBuilder))
                    {
                        builders[tenantKey] = tenantBuilder = new RollUpBuilder();
                    }

                    tenantBuilder.Features.Add(delta.Feature);
                }
            }

            if (builders.TryGetValue(tenantKey, out var tenantRollUp))
            {
                tenantRollUp.Saw(logged);
            }
        }

        return builders;
    }

    private sealed class RollUpBuilder
    {
        private readonly Dictionary<(Metric, int), double> _sums = [];
        private long _latestEventMs = long.MinValue;
        private long _oldestCommitMs = long.MaxValue;

        public HashSet<string> Features { get; } = new(StringComparer.Ordinal);

        public void Add(CounterDelta delta)
        {
            var key = (delta.Metric, delta.Bucket);
            _sums[key] = _sums.GetValueOrDefault(key) + delta.Amount;
        }

        public void Saw(LoggedEvent logged)
        {
            if (!logged.Event.IsIdentify)
            {
                _latestEventMs = Math.Max(_latestEventMs, logged.Event.TimestampMs);
            }

            _oldestCommitMs = Math.Min(_oldestCommitMs, logged.CommittedAtMs);
        }

        public (IReadOnlyList<CounterDelta> Counters, DispatchInfo Info) Build(ReceiverKey receiver)
        {
            var counters = new List<CounterDelta>(_sums.Count);
            foreach (var ((metric, bucket), amount) in _sums)
            {
                if (amount != 0)
                {
                    counters.Add(new CounterDelta(receiver.Feature, metric, bucket, amount));
                }
            }

            var info = receiver.IsTenant
                ? new DispatchInfo([.. Features], _latestEventMs, _oldestCommitMs == long.MaxValue ? 0 : _oldestCommitMs)
                : DispatchInfo.None;
            return (counters, info);
        }
    }
}

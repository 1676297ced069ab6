using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// One dispatch cycle's events, split by user with the deltas their user grains returned, rolled
/// up per receiver in one pass. Keeps each event's deltas so a receiver that already holds part of
/// the range can be sent exactly the rest.
/// </summary>
internal sealed class DispatchCycle
{
    private readonly IReadOnlyList<UserShare> _shares;
    private readonly Dictionary<ReceiverKey, RollUpBuilder> _rollUps;

    public DispatchCycle(IReadOnlyList<LoggedEvent> events, IReadOnlyList<UserShare> shares)
    {
        _shares = shares;
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
        // An event's deltas come grouped by feature, and a cycle's users mostly share one tenant
        // string: remembering the last receiver by reference skips most dictionary lookups.
        string? lastTenant = null, lastFeature = null;
        RollUpBuilder? last = null, tenantBuilder = null;
        foreach (var share in _shares)
        {
            var tenant = share.Tenant;
            if (!ReferenceEquals(tenant, lastTenant))
            {
                lastTenant = tenant;
                lastFeature = null;
                tenantBuilder = null;
            }

            var applied = share.Deltas!;
            for (var i = 0; i < share.Events.Count; i++)
            {
                var logged = share.Events[i];
                if (logged.Seq <= afterSeq)
                {
                    continue;
                }

                foreach (var delta in applied.Of(i))
                {
                    if (!ReferenceEquals(delta.Feature, lastFeature) || last is null)
                    {
                        var key = new ReceiverKey(tenant, delta.Feature);
                        if (only is { } wanted && key != wanted && !(wanted.IsTenant && wanted.Tenant == tenant))
                        {
                            continue;
                        }

                        last = BuilderOf(builders, key, ref tenantBuilder);
                        lastFeature = delta.Feature;
                    }

                    last.Add(delta);
                }

                if (tenantBuilder is not null || builders.TryGetValue(new ReceiverKey(tenant, string.Empty), out tenantBuilder))
                {
                    tenantBuilder.Saw(logged);
                }
            }
        }

        return builders;
    }

    /// <summary>The receiver's builder, created on first use; a new feature is also made known to
    /// its tenant (the tenant learns the features its events touched).</summary>
    private static RollUpBuilder BuilderOf(Dictionary<ReceiverKey, RollUpBuilder> builders, ReceiverKey key, ref RollUpBuilder? tenantBuilder)
    {
        if (builders.TryGetValue(key, out var builder))
        {
            return builder;
        }

        builders[key] = builder = new RollUpBuilder();
        if (key.IsTenant)
        {
            tenantBuilder = builder;
        }
        else
        {
            var tenantKey = new ReceiverKey(key.Tenant, string.Empty);
            if (!builders.TryGetValue(tenantKey, out var owner))
            {
                builders[tenantKey] = owner = new RollUpBuilder();
            }

            tenantBuilder = owner;
            owner.Features.Add(key.Feature);
        }

        return builder;
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

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
    private readonly BuilderPool _pool;
    private readonly Dictionary<ReceiverKey, RollUpBuilder> _rollUps;
    private readonly Dictionary<ReceiverKey, RollUp> _built;

    /// <summary>Rolls up the cycle with the partition's <paramref name="pool"/> of builders, reused
    /// cycle after cycle: growing a fresh counter table per receiver per cycle was an eighth of what
    /// a dispatched event allocated.</summary>
    public DispatchCycle(IReadOnlyList<LoggedEvent> events, IReadOnlyList<UserShare> shares, BuilderPool pool)
    {
        _shares = shares;
        _pool = pool;
        FromSeq = events[0].Seq - 1;
        UpToSeq = events[^1].Seq;
        _rollUps = Build(afterSeq: FromSeq, only: null, pool);
        // Built here, so that the sort into runs also runs wherever the cycle is made: off the
        // partition's turn.
        _built = _rollUps.ToDictionary(r => r.Key, r => r.Value.Build(r.Key));
    }

    public long FromSeq { get; }

    public long UpToSeq { get; }

    public IEnumerable<ReceiverKey> Receivers => _rollUps.Keys;

    /// <summary>The receiver's rolled-up counters for the whole cycle.</summary>
    public RollUp RollUpOf(ReceiverKey receiver) => _built[receiver];

    /// <summary>The receiver's rolled-up counters for events with seq above <paramref name="afterSeq"/>.</summary>
    public RollUp RollUpOf(ReceiverKey receiver, long afterSeq) =>
        Build(afterSeq, receiver, new BuilderPool()).TryGetValue(receiver, out var builder)
            ? builder.Build(receiver)
            : new RollUp([], DispatchInfo.None, 0);

    /// <summary>Gives the builders back to the partition's pool once every receiver was sent its roll-up.</summary>
    public void Release()
    {
        foreach (var builder in _rollUps.Values)
        {
            _pool.Return(builder);
        }

        _rollUps.Clear();
    }

    private Dictionary<ReceiverKey, RollUpBuilder> Build(long afterSeq, ReceiverKey? only, BuilderPool pool)
    {
        var builders = new Dictionary<ReceiverKey, RollUpBuilder>();
        var own = pool.Scratch;
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

                // The event's own counts, then what its user's history made of it.
                own.Clear();
                EventCounters.AddTo(logged.Event, own);
                foreach (var delta in own)
                {
                    Route(delta, logged.Seq);
                }

                foreach (var delta in applied.Of(i))
                {
                    Route(delta, logged.Seq);
                }

                if (tenantBuilder is not null || builders.TryGetValue(new ReceiverKey(tenant, string.Empty), out tenantBuilder))
                {
                    tenantBuilder.Saw(logged);
                }
            }

            void Route(CounterDelta delta, long seq)
            {
                if (!ReferenceEquals(delta.Feature, lastFeature) || last is null)
                {
                    var key = new ReceiverKey(tenant, delta.Feature);
                    if (only is { } wanted && key != wanted && !(wanted.IsTenant && wanted.Tenant == tenant))
                    {
                        return;
                    }

                    last = BuilderOf(builders, key, pool, ref tenantBuilder);
                    lastFeature = delta.Feature;
                }

                last.Add(delta, seq);
            }
        }

        return builders;
    }

    /// <summary>The receiver's builder, created on first use; a new feature is also made known to
    /// its tenant (the tenant learns the features its events touched).</summary>
    private static RollUpBuilder BuilderOf(Dictionary<ReceiverKey, RollUpBuilder> builders, ReceiverKey key, BuilderPool pool, ref RollUpBuilder? tenantBuilder)
    {
        if (builders.TryGetValue(key, out var builder))
        {
            return builder;
        }

        builders[key] = builder = pool.Rent();
        if (key.IsTenant)
        {
            tenantBuilder = builder;
        }
        else
        {
            var tenantKey = new ReceiverKey(key.Tenant, string.Empty);
            if (!builders.TryGetValue(tenantKey, out var owner))
            {
                builders[tenantKey] = owner = pool.Rent();
            }

            tenantBuilder = owner;
            owner.Features.Add(key.Feature);
        }

        return builder;
    }

    /// <summary>Cleared builders that keep their tables' capacity. A partition runs one cycle at a
    /// time, so its pool is never used by two threads at once.</summary>
    internal sealed class BuilderPool
    {
        private readonly Stack<RollUpBuilder> _free = [];

        /// <summary>Holds one event's own deltas while they are routed.</summary>
        public List<CounterDelta> Scratch { get; } = [];

        public RollUpBuilder Rent() => _free.TryPop(out var builder) ? builder : new RollUpBuilder();

        public void Return(RollUpBuilder builder)
        {
            builder.Clear();
            _free.Push(builder);
        }
    }

    /// <summary>What a receiver is sent of a cycle: its counters, what its tenant learns, and how
    /// many of the cycle's events changed it (see <see cref="AggregateDelta.Events"/>).</summary>
    internal readonly record struct RollUp(IReadOnlyList<CounterDelta> Counters, DispatchInfo Info, int Events);

    internal sealed class RollUpBuilder
    {
        private readonly CounterSet _sums = new();
        private long _latestEventMs = long.MinValue;
        private long _oldestCommitMs = long.MaxValue;
        private int _events;
        private long _lastSeq = -1; // the event counted last: its deltas come one after another

        // The sorted (metric, bucket) keys and amounts of Build, kept: a builder is reused every cycle.
        private long[] _keys = [];
        private double[] _amounts = [];

        public HashSet<string> Features { get; } = new(StringComparer.Ordinal);

        public void Clear()
        {
            _sums.Clear();
            Features.Clear();
            _latestEventMs = long.MinValue;
            _oldestCommitMs = long.MaxValue;
            _events = 0;
            _lastSeq = -1;
        }

        /// <param name="delta">One of an event's deltas for this receiver.</param>
        /// <param name="seq">The event's seq.</param>
        public void Add(CounterDelta delta, long seq)
        {
            _sums.Add(delta);
            if (seq != _lastSeq)
            {
                _events++;
                _lastSeq = seq;
            }
        }

        public void Saw(LoggedEvent logged)
        {
            if (!logged.Event.IsIdentify)
            {
                _latestEventMs = Math.Max(_latestEventMs, logged.Event.TimestampMs);
            }

            _oldestCommitMs = Math.Min(_oldestCommitMs, logged.CommittedAtMs);
        }

        public RollUp Build(ReceiverKey receiver)
        {
            var counters = RunsOfSums(receiver.Feature);
            var info = receiver.IsTenant
                ? new DispatchInfo([.. Features], _latestEventMs, _oldestCommitMs == long.MaxValue ? 0 : _oldestCommitMs)
                : DispatchInfo.None;
            return new RollUp(counters, info, _events);
        }

        /// <summary>
        /// The sums as runs: consecutive buckets of one metric with the same amount become one delta.
        /// A new active day enters up to 30 rolling windows, and the sums hold one counter per window
        /// end; sent as runs, the cycle's roll-up is a few deltas per window metric instead of ~37.
        /// </summary>
        private CounterDelta[] RunsOfSums(string feature)
        {
            var count = _sums.Count;
            if (_keys.Length < count)
            {
                _keys = new long[Math.Max(count, _keys.Length * 2)];
                _amounts = new double[_keys.Length];
            }

            var n = 0;
            foreach (var (metric, bucket, amount) in _sums.Entries()) // sums that cancelled out are gone
            {
                _keys[n] = OrderedKey.Of((int)metric, bucket);
                _amounts[n++] = amount;
            }

            Array.Sort(_keys, _amounts, 0, n);
            var runs = new CounterDelta[CountRuns(n)];
            for (int start = 0, r = 0; start < n; r++)
            {
                var end = RunEnd(start, n);
                runs[r] = new CounterDelta(feature, (Metric)OrderedKey.FirstOf(_keys[start]), OrderedKey.SecondOf(_keys[start]), _amounts[start], (ushort)(end - start));
                start = end + 1;
            }

            return runs;
        }

        private int CountRuns(int n)
        {
            var runs = 0;
            for (var start = 0; start < n; start = RunEnd(start, n) + 1)
            {
                runs++;
            }

            return runs;
        }

        /// <summary>The last index of the run that starts at <paramref name="start"/> in the sorted keys.</summary>
        private int RunEnd(int start, int n)
        {
            var end = start;
            while (end + 1 < n && end - start < ushort.MaxValue
                && OrderedKey.FirstOf(_keys[end + 1]) == OrderedKey.FirstOf(_keys[start]) // same metric
                && _keys[end + 1] == _keys[end] + 1 // the next bucket
                && _amounts[end + 1] == _amounts[start])
            {
                end++;
            }

            return end;
        }
    }
}

using System.Runtime.InteropServices;

namespace ProductOps.Domain;

/// <summary>Counters of one feature or one tenant, keyed by (metric, bucket). Both the live
/// aggregate grains and the replay oracle fill one, so the two can be compared entry by entry.</summary>
/// <remarks>
/// The rolling windows (a day's distinct users over the 7 or 30 days ending with it) are kept as
/// changes: adding a to the windows ending on days [b, e] is +a at b and -a at e + 1 under the
/// window's change metric, and a window's value is the sum of its changes up to the day. A user's
/// new active day is then two entries instead of up to 37, in the receivers and in the dispatch's
/// roll-up. Snapshots written before hold the windows' values under the window metrics; they
/// become changes when the set is first used (<see cref="Normalize"/>).
/// </remarks>
[GenerateSerializer, Alias("productops.counter-set")]
public sealed class CounterSet
{
    [Id(0)] private Dictionary<long, double> _values = [];

    /// <summary>Set once no window values are left to turn into changes; false after reading a snapshot.</summary>
    [NonSerialized] private bool _normalized;

    /// <summary>Per change metric, its changes in bucket order with their running sums: built when a
    /// window is read, dropped when one of its changes moves.</summary>
    [NonSerialized] private Dictionary<Metric, RunningSums>? _windows;

    /// <summary>The keys changed since the set was restored (<see cref="Restore"/>) or its changes
    /// last forgotten; null in a set that does not track them.</summary>
    [NonSerialized] private HashSet<long>? _changed;

    public int Count
    {
        get
        {
            Normalize();
            return _values.Count;
        }
    }

    /// <summary>How many counters changed since the set was restored or its changes last forgotten.</summary>
    public int ChangedCount => _changed?.Count ?? 0;

    /// <summary>Forgets the changes so far, once a store holds every counter as it is now.</summary>
    public void ForgetChanges() => _changed?.Clear();

    /// <summary>Every counter changed since the set was restored or its changes last forgotten,
    /// with its value now: zero for one that is gone. Empty in a set that does not track them.</summary>
    public CounterValues Changes()
    {
        Normalize();
        if (_changed is null || _changed.Count == 0)
        {
            return CounterValues.Empty;
        }

        var keys = new long[_changed.Count];
        _changed.CopyTo(keys);
        Array.Sort(keys);
        var values = new double[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            values[i] = _values.GetValueOrDefault(keys[i]);
        }

        return new CounterValues(keys, values);
    }

    /// <summary>Every counter as stored (windows as their changes), in key order.</summary>
    public CounterValues Snapshot()
    {
        Normalize();
        var keys = new long[_values.Count];
        var values = new double[keys.Length];
        _values.Keys.CopyTo(keys, 0);
        _values.Values.CopyTo(values, 0);
        Array.Sort(keys, values);
        return new CounterValues(keys, values);
    }

    /// <summary>A set stored as a history and the changes since: the history's counters with each
    /// change's value laid over them (zero removes the counter). The set tracks its changes from
    /// here, and the ones given count as changed again, so its next <see cref="Changes"/> still
    /// holds them.</summary>
    public static CounterSet Restore(CounterValues history, CounterValues changes)
    {
        var set = new CounterSet
        {
            _values = new Dictionary<long, double>(history.Count + changes.Count),
            _changed = new HashSet<long>(changes.Count),
        };
        for (var i = 0; i < history.Count; i++)
        {
            if (history.Values[i] != 0)
            {
                set._values[history.Keys[i]] = history.Values[i];
            }
        }

        for (var i = 0; i < changes.Count; i++)
        {
            var key = changes.Keys[i];
            if (changes.Values[i] == 0)
            {
                set._values.Remove(key);
            }
            else
            {
                set._values[key] = changes.Values[i];
            }

            set._changed.Add(key);
        }

        return set;
    }

    /// <summary>Adds <paramref name="delta"/>'s amount to each bucket it covers.</summary>
    public void Add(CounterDelta delta)
    {
        Normalize();
        if (ChangeMetricOf(delta.Metric) is { } changes)
        {
            AddToWindows(changes, delta.Bucket, delta.LastBucket, delta.Amount);
            return;
        }

        for (var bucket = delta.Bucket; bucket <= delta.LastBucket; bucket++)
        {
            AddValue(delta.Metric, bucket, delta.Amount);
        }
    }

    /// <summary>Adds every delta of a received roll-up (by index: no enumerator per call).</summary>
    public void AddAll(IReadOnlyList<CounterDelta> deltas)
    {
        for (var i = 0; i < deltas.Count; i++)
        {
            Add(deltas[i]);
        }
    }

    public void Add(Metric metric, int bucket, double amount)
    {
        Normalize();
        if (ChangeMetricOf(metric) is { } changes)
        {
            AddToWindows(changes, bucket, bucket, amount);
        }
        else
        {
            AddValue(metric, bucket, amount);
        }
    }

    /// <summary>An independent copy, for answers that leave the grain: a reply to another silo is
    /// serialized off the grain's turn, while the grain may go on changing its own set.</summary>
    public CounterSet Copy()
    {
        Normalize();
        return new() { _values = new Dictionary<long, double>(_values), _normalized = true };
    }

    /// <summary>Empties the set and keeps its capacity, for a set reused as a builder.</summary>
    public void Clear()
    {
        _changed?.UnionWith(_values.Keys);
        _values.Clear();
        _windows?.Clear();
        _normalized = true;
    }

    /// <summary>The counter's value; a window's is the sum of its changes up to the bucket.</summary>
    public double Get(Metric metric, int bucket)
    {
        Normalize();
        return ChangeMetricOf(metric) is { } changes
            ? WindowsOf(changes).At(bucket)
            : _values.GetValueOrDefault(Key(metric, bucket));
    }

    public double Total(Metric metric) => Get(metric, 0);

    /// <summary>Every non-zero counter as stored (windows as their changes). A foreach over it
    /// allocates nothing (the dispatch's roll-up reads one per receiver per cycle); LINQ and
    /// comparisons see an IEnumerable.</summary>
    public EntryList Entries()
    {
        Normalize();
        return new(_values);
    }

    /// <summary>The change metric a rolling window is kept as, or null for any other metric.</summary>
    public static Metric? ChangeMetricOf(Metric metric) => metric switch
    {
        Metric.FeatureDayUsers7 => Metric.FeatureDayUsers7Change,
        Metric.FeatureDayUsers30 => Metric.FeatureDayUsers30Change,
        Metric.TenantDayUsers7 => Metric.TenantDayUsers7Change,
        Metric.TenantDayUsers30 => Metric.TenantDayUsers30Change,
        _ => null,
    };

    private static bool IsChangeMetric(Metric metric) =>
        metric is Metric.FeatureDayUsers7Change or Metric.FeatureDayUsers30Change or Metric.TenantDayUsers7Change or Metric.TenantDayUsers30Change;

    /// <summary>A set holding exactly these stored entries, as a snapshot would (for tests of the
    /// stored forms).</summary>
    internal static CounterSet FromStored(IEnumerable<(Metric Metric, int Bucket, double Value)> entries) =>
        new() { _values = entries.ToDictionary(e => Key(e.Metric, e.Bucket), e => e.Value) };

    private void AddToWindows(Metric changes, int firstEnd, int lastEnd, double amount)
    {
        AddValue(changes, firstEnd, amount);
        if (lastEnd < int.MaxValue)
        {
            AddValue(changes, lastEnd + 1, -amount);
        }
    }

    private void AddValue(Metric metric, int bucket, double amount)
    {
        if (amount == 0)
        {
            return;
        }

        if (_windows is not null && IsChangeMetric(metric))
        {
            _windows.Remove(metric); // its running sums move (a roll-up sends changes as they are)
        }

        var key = Key(metric, bucket);
        _changed?.Add(key);
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_values, key, out _); // one lookup per add
        sum += amount;
        if (sum == 0)
        {
            _values.Remove(key); // a retraction that cancels out leaves no trace
        }
    }

    /// <summary>Turns window values read from an older snapshot into changes (the value at each
    /// day, less the value the day before), once.</summary>
    private void Normalize()
    {
        if (_normalized)
        {
            return;
        }

        _normalized = true;
        List<(Metric Changes, int Bucket, double Value, long Key)>? values = null;
        foreach (var (key, value) in _values)
        {
            if (ChangeMetricOf((Metric)(key >> 32)) is { } changes)
            {
                (values ??= []).Add((changes, (int)(key & 0xFFFF_FFFF), value, key));
            }
        }

        foreach (var (changes, bucket, value, key) in values ?? [])
        {
            _values.Remove(key);
            _changed?.Add(key);
            AddToWindows(changes, bucket, bucket, value);
        }
    }

    private RunningSums WindowsOf(Metric changes)
    {
        _windows ??= [];
        if (!_windows.TryGetValue(changes, out var sums))
        {
            _windows[changes] = sums = RunningSums.Of(changes, _values);
        }

        return sums;
    }

    private static long Key(Metric metric, int bucket) => ((long)metric << 32) | (uint)bucket;

    /// <summary>One change metric's buckets in order and the sum of its changes through each.</summary>
    private sealed class RunningSums(int[] buckets, double[] sums)
    {
        public static RunningSums Of(Metric changes, Dictionary<long, double> values)
        {
            var buckets = new List<int>();
            var amounts = new List<double>();
            foreach (var (key, value) in values)
            {
                if ((Metric)(key >> 32) == changes)
                {
                    buckets.Add((int)(key & 0xFFFF_FFFF));
                    amounts.Add(value);
                }
            }

            var sortedBuckets = buckets.ToArray();
            var sums = amounts.ToArray();
            Array.Sort(sortedBuckets, sums);
            for (var i = 1; i < sums.Length; i++)
            {
                sums[i] += sums[i - 1];
            }

            return new RunningSums(sortedBuckets, sums);
        }

        /// <summary>The sum of the changes at or before <paramref name="bucket"/>.</summary>
        public double At(int bucket)
        {
            var index = Array.BinarySearch(buckets, bucket);
            var last = index >= 0 ? index : ~index - 1;
            return last < 0 ? 0 : sums[last];
        }
    }

    public readonly struct EntryList(Dictionary<long, double> values) : IEnumerable<(Metric Metric, int Bucket, double Value)>
    {
        public Enumerator GetEnumerator() => new(values.GetEnumerator());

        IEnumerator<(Metric Metric, int Bucket, double Value)> IEnumerable<(Metric Metric, int Bucket, double Value)>.GetEnumerator() => GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    public struct Enumerator(Dictionary<long, double>.Enumerator inner) : IEnumerator<(Metric Metric, int Bucket, double Value)>
    {
        private Dictionary<long, double>.Enumerator _inner = inner;

        public readonly (Metric Metric, int Bucket, double Value) Current
        {
            get
            {
                var (key, value) = _inner.Current;
                return ((Metric)(key >> 32), (int)(key & 0xFFFF_FFFF), value);
            }
        }

        readonly object System.Collections.IEnumerator.Current => Current;

        public bool MoveNext() => _inner.MoveNext();

        public readonly void Reset() => throw new NotSupportedException();

        public void Dispose() => _inner.Dispose();
    }
}

using System.Runtime.InteropServices;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The newest committed events of a partition, kept in memory for dispatch: a run of consecutive
/// seqs, at most <see cref="Capacity"/> of them, in a ring. A commit past the capacity drops the
/// oldest (dispatch reads what it no longer holds from the log); a commit that does not follow on
/// (a commit that failed but went through moved the head) starts a new run. Adding, dropping and
/// finding an event cost nothing per event held: no search, no shifting.
/// </summary>
/// <remarks>Used on the partition grain's turn only; <see cref="Count"/> may be read from elsewhere
/// for diagnostics.</remarks>
internal sealed class HeldEvents(int capacity)
{
    private const int FirstRing = 64;
    private LoggedEvent?[] _ring = [];
    private int _start;
    private int _count;

    /// <summary>Most events held at once.</summary>
    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "at least 1");

    public int Count => Volatile.Read(ref _count);

    /// <summary>
    /// Holds a commit's events (consecutive seqs), dropping the oldest past the capacity. Returns
    /// the oldest event dropped that is above <paramref name="dispatched"/> (one that dispatch now
    /// has to read from the log), or null when none was.
    /// </summary>
    public LoggedEvent? Add(IReadOnlyList<LoggedEvent> events, long dispatched)
    {
        if (events.Count == 0)
        {
            return null;
        }

        LoggedEvent? spilled = null;
        var skip = Math.Max(0, events.Count - Capacity); // a commit larger than the capacity keeps its newest
        if (_count > 0 && (skip > 0 || events[0].Seq != this[_count - 1].Seq + 1))
        {
            spilled = FirstAbove(dispatched, _count);
            DropFront(_count);
        }

        if (skip > 0)
        {
            spilled ??= events[0];
        }

        var overflow = _count + events.Count - skip - Capacity;
        if (overflow > 0)
        {
            spilled ??= FirstAbove(dispatched, overflow);
            DropFront(overflow);
        }

        MakeRoom(_count + events.Count - skip);
        for (var i = skip; i < events.Count; i++)
        {
            var slot = _start + _count;
            _ring[slot >= _ring.Length ? slot - _ring.Length : slot] = events[i];
            _count++;
        }

        return spilled;
    }

    /// <summary>Forgets the events at or below <paramref name="seq"/> (dispatched).</summary>
    public void DropThrough(long seq)
    {
        if (_count > 0 && seq >= this[0].Seq)
        {
            DropFront((int)Math.Min(_count, seq - this[0].Seq + 1));
        }
    }

    /// <summary>The held event with <paramref name="seq"/>, if it is held.</summary>
    public bool TryGet(long seq, out LoggedEvent logged)
    {
        if (_count > 0 && seq >= this[0].Seq && seq - this[0].Seq < _count)
        {
            logged = this[(int)(seq - this[0].Seq)];
            return true;
        }

        logged = null!;
        return false;
    }

    /// <summary>The oldest held event, if any.</summary>
    public LoggedEvent? Oldest => _count > 0 ? this[0] : null;

    /// <summary>Each tenant's held events above <paramref name="dispatched"/>: how many, and the
    /// commit time of its oldest. <paramref name="held"/> is how many that is in all.</summary>
    public List<TenantPending> PendingByTenant(long dispatched, out long held)
    {
        held = 0;
        if (_count == 0)
        {
            return [];
        }

        var byTenant = new Dictionary<string, (long Events, long OldestMs)>(StringComparer.Ordinal);
        for (var i = (int)Math.Min(_count, Math.Max(0, dispatched + 1 - this[0].Seq)); i < _count; i++)
        {
            var logged = this[i];
            ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(byTenant, logged.Event.Tenant, out var seen);
            entry = seen ? (entry.Events + 1, entry.OldestMs) : (1, logged.CommittedAtMs);
            held++;
        }

        return [.. byTenant.Select(pair => new TenantPending(pair.Key, pair.Value.Events, pair.Value.OldestMs))];
    }

    /// <summary>A copy of up to <paramref name="max"/> held events from seq
    /// <paramref name="afterSeq"/> + 1 on; null when that one is not held.</summary>
    public List<LoggedEvent>? Take(long afterSeq, int max)
    {
        if (!TryGet(afterSeq + 1, out var first))
        {
            return null;
        }

        var from = (int)(first.Seq - this[0].Seq);
        var taken = new List<LoggedEvent>(Math.Min(max, _count - from));
        for (var i = from; i < _count && taken.Count < max; i++)
        {
            taken.Add(this[i]);
        }

        return taken;
    }

    private LoggedEvent this[int index]
    {
        get
        {
            var slot = _start + index;
            return _ring[slot >= _ring.Length ? slot - _ring.Length : slot]!;
        }
    }

    /// <summary>The first of the oldest <paramref name="count"/> held events above <paramref name="dispatched"/>.</summary>
    private LoggedEvent? FirstAbove(long dispatched, int count)
    {
        var index = Math.Max(0, dispatched + 1 - this[0].Seq);
        return index < count ? this[(int)index] : null;
    }

    private void DropFront(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _ring[_start] = null; // let the event go now, not when its slot is reused
            _start = _start + 1 == _ring.Length ? 0 : _start + 1;
        }

        _count -= count;
        if (_count == 0)
        {
            _start = 0;
        }
    }

    /// <summary>Grows the ring (doubling, up to the capacity) to hold <paramref name="needed"/> events.</summary>
    private void MakeRoom(int needed)
    {
        if (needed <= _ring.Length)
        {
            return;
        }

        var grown = new LoggedEvent?[Math.Min(Capacity, Math.Max(needed, Math.Max(FirstRing, _ring.Length * 2)))];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = this[i];
        }

        _ring = grown;
        _start = 0;
    }
}

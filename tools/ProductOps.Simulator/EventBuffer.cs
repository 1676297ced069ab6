namespace ProductOps.Simulator;

/// <summary>The events of one day (and what spilled over from the day before), sorted by time.</summary>
/// <remarks>Sort keys are the time since the window start with the insertion order in the low bits,
/// so equal times keep the order they were generated in (a cancellation stays last).</remarks>
internal sealed class EventBuffer(long originMs)
{
    private const int OrderBits = 26;
    private const long OrderMask = (1L << OrderBits) - 1;

    private long[] _keys = new long[4096];
    private SimulatedEvent[] _items = new SimulatedEvent[4096];
    private long _order;

    public int Count { get; private set; }

    public ref SimulatedEvent this[int index] => ref _items[index];

    public void Add(in SimulatedEvent item)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
            Array.Resize(ref _keys, _keys.Length * 2);
        }

        _items[Count] = item;
        _keys[Count] = ((item.Time - originMs) << OrderBits) | (_order++ & OrderMask);
        Count++;
    }

    public void Sort() => Array.Sort(_keys, _items, 0, Count);

    /// <summary>How many leading (sorted) events are earlier than <paramref name="time"/>.</summary>
    public int CountBefore(long time)
    {
        var bound = (time - originMs) << OrderBits;
        int low = 0, high = Count;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (_keys[mid] < bound)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>Drops the first <paramref name="count"/> events, keeping the rest for the next day.</summary>
    public void RemoveFirst(int count)
    {
        var rest = Count - count;
        Array.Copy(_items, count, _items, 0, rest);
        Array.Copy(_keys, count, _keys, 0, rest);
        Count = rest;
    }
}

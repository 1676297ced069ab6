namespace ProductOps.Domain;

/// <summary>
/// Objects handed out once the collector has moved them to its oldest generation, so an old
/// owner that takes one marks no card (see <see cref="AgedArrays{T}"/> for why that matters).
/// When none is ready, <see cref="Rent"/> makes a new one, as without the pool, and one more that
/// waits in a queue until it is old; <see cref="Return"/> keeps an old object for reuse.
/// </summary>
/// <param name="make">A new object, as a caller that rents it expects it.</param>
/// <param name="cap">At most this many ready and as many waiting.</param>
/// <param name="reset">Makes a returned object as <paramref name="make"/> makes one.</param>
internal sealed class AgedPool<T>(Func<T> make, int cap, Action<T> reset)
    where T : class
{
    private readonly Lock _gate = new();
    private readonly Stack<T> _ready = new();
    private readonly Queue<T> _waiting = new();

    public T Rent()
    {
        lock (_gate)
        {
            while (_waiting.TryPeek(out var oldest) && GC.GetGeneration(oldest) == GC.MaxGeneration)
            {
                _waiting.Dequeue();
                if (_ready.Count < cap)
                {
                    _ready.Push(oldest);
                }
            }

            if (_ready.TryPop(out var ready))
            {
                return ready;
            }

            if (_waiting.Count < cap)
            {
                _waiting.Enqueue(make()); // for a later call, once it is old
            }
        }

        return make();
    }

    /// <summary>Takes back an object no one refers to any more.</summary>
    public void Return(T item)
    {
        if (GC.GetGeneration(item) != GC.MaxGeneration)
        {
            return; // young: a gen0 collection frees it cheaply, and handing it out would mark a card
        }

        reset(item);
        lock (_gate)
        {
            if (_ready.Count < cap)
            {
                _ready.Push(item);
            }
        }
    }

    /// <summary>How many objects are ready and waiting (for tests).</summary>
    public (int Ready, int Waiting) Held()
    {
        lock (_gate)
        {
            return (_ready.Count, _waiting.Count);
        }
    }
}

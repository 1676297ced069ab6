namespace ProductOps.Gateway.Ingest;

/// <summary>
/// The strings one tenant repeats in nearly every event (event names, features, property keys),
/// so the events the pipeline holds share one instance of each instead of the copy protobuf
/// parsed for every event. Feature strings then also compare by reference downstream (the
/// dispatch roll-up, a user's feature table). A fixed array of slots, each keeping the last
/// short string that hashed to it: a client sending endless distinct strings only overwrites
/// slots and never grows memory past the slots times the longest string kept.
/// </summary>
public sealed class StringCache
{
    private const int Slots = 1024; // a power of two: the slot is the hash's low bits
    private const int MaxLength = 128;
    private readonly string?[] _slots = new string?[Slots];

    /// <summary>An instance equal to <paramref name="value"/>: the cached one when there is one.</summary>
    public string Intern(string value)
    {
        if (value.Length == 0 || value.Length > MaxLength)
        {
            return value;
        }

        // string.GetHashCode is randomised per process, so a client cannot aim collisions at a slot.
        ref var slot = ref _slots[value.GetHashCode() & (Slots - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && string.Equals(cached, value, StringComparison.Ordinal))
        {
            return cached;
        }

        // Batches of a tenant run in parallel; a lost race only costs one missed share.
        Volatile.Write(ref slot, value);
        return value;
    }
}

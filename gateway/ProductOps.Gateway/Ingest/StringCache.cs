using System.Text;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// The strings one tenant repeats in nearly every event (event names, features, property keys),
/// so the events the pipeline holds share one instance of each instead of a copy decoded for
/// every event. Looked up by the request's UTF-8 bytes, so a hit decodes nothing. Feature
/// strings then also compare by reference downstream (the dispatch roll-up, a user's feature
/// table). A fixed array of slots, each keeping the last short string that hashed to it: a
/// client sending endless distinct strings only overwrites slots and never grows memory past the
/// slots times the longest string kept.
/// </summary>
public sealed class StringCache
{
    private const int Slots = 1024; // a power of two: the slot is the hash's low bits
    private const int MaxBytes = 128;
    private readonly Entry?[] _slots = new Entry?[Slots];

    /// <summary>The string <paramref name="utf8"/> encodes (invalid sequences as U+FFFD, as
    /// protobuf decodes them): the cached instance when there is one.</summary>
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        // HashCode is seeded randomly per process, so a client cannot aim collisions at a slot.
        var hash = new HashCode();
        hash.AddBytes(utf8);
        ref var slot = ref _slots[hash.ToHashCode() & (Slots - 1)];
        var cached = Volatile.Read(ref slot);
        if (cached is not null && utf8.SequenceEqual(cached.Utf8))
        {
            return cached.Value;
        }

        // Batches of a tenant run in parallel; a lost race only costs one missed share.
        var value = Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref slot, new Entry(value, utf8.ToArray()));
        return value;
    }

    /// <summary>An instance equal to <paramref name="value"/>: the cached one when there is one.</summary>
    public string Intern(string value)
    {
        if (Encoding.UTF8.GetMaxByteCount(value.Length) > MaxBytes && Encoding.UTF8.GetByteCount(value) > MaxBytes)
        {
            return value;
        }

        Span<byte> utf8 = stackalloc byte[MaxBytes];
        var interned = Intern(utf8[..Encoding.UTF8.GetBytes(value, utf8)]);
        return string.Equals(interned, value, StringComparison.Ordinal) ? interned : value; // a lone surrogate does not survive UTF-8
    }

    private sealed record Entry(string Value, byte[] Utf8);
}

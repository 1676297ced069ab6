using System.Buffers;
using System.Text;
using System.Text.Unicode;

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

    /// <summary>The string <paramref name="utf8"/> encodes (valid UTF-8: the intake refuses the
    /// rest first), the cached instance when there is one.</summary>
    public string Intern(ReadOnlySpan<byte> utf8) => Intern(utf8, known: null);

    /// <summary>An instance equal to <paramref name="value"/>: the cached one when there is one.</summary>
    public string Intern(string value)
    {
        // Too long for a slot (the destination is too small), or a lone surrogate, which UTF-8
        // cannot hold: not shared.
        Span<byte> utf8 = stackalloc byte[MaxBytes];
        return Utf8.FromUtf16(value, utf8, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
            ? Intern(utf8[..written], value)
            : value;
    }

    private string Intern(ReadOnlySpan<byte> utf8, string? known)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxBytes)
        {
            return known ?? Encoding.UTF8.GetString(utf8);
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
        var value = known ?? Encoding.UTF8.GetString(utf8);
        Volatile.Write(ref slot, new Entry(value, utf8.ToArray()));
        return value;
    }

    private sealed record Entry(string Value, byte[] Utf8);
}

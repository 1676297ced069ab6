namespace ProductOps.Domain;

/// <summary>Where an aggregate grain (a feature's or a tenant's) stood when it answered: for each
/// event-log partition, how many of its events have changed the grain. A grain applies a
/// partition's events in order, so of two answers, the one at or past the other in every partition
/// holds every event the other held. The counts are the tenant's own (no other tenant's events in
/// a shared partition show in them), and do not depend on how a partition cut its events into
/// deltas. After a silo crash a grain answers from its last flushed state until its partitions
/// send it the rest again; a watch tells such an answer by its version.</summary>
[GenerateSerializer, Immutable, Alias("productops.receiver-version")]
public sealed class ReceiverVersion : IEquatable<ReceiverVersion>
{
    // Sorted by partition, one count each: a few hundred bytes at the default 32 partitions. Null
    // only if a sender left them out: such a version is not known (see IsKnown).
    [Id(0)] private readonly int[]? _partitions;
    [Id(1)] private readonly long[]? _counts;

    private ReceiverVersion(int[] partitions, long[] counts)
    {
        _partitions = partitions;
        _counts = counts;
    }

    /// <summary>False for a version read without its counts (no sender of this build leaves them
    /// out): it says nothing, where an empty one says the grain holds no events.</summary>
    public bool IsKnown => _partitions is { } p && _counts is { } c && p.Length == c.Length;

    private ReadOnlySpan<int> Partitions => IsKnown ? _partitions : [];

    private ReadOnlySpan<long> Counts => Partitions.Length == 0 ? [] : _counts;

    public static ReceiverVersion Of(IReadOnlyDictionary<int, long> counts)
    {
        var partitions = new int[counts.Count];
        var values = new long[counts.Count];
        var i = 0;
        foreach (var (partition, count) in counts)
        {
            partitions[i] = partition;
            values[i++] = count;
        }

        Array.Sort(partitions, values);
        return new ReceiverVersion(partitions, values);
    }

    /// <summary>How many events from <paramref name="partition"/> the grain held (0: none).</summary>
    public long CountOf(int partition)
    {
        var at = Partitions.BinarySearch(partition);
        return at >= 0 ? Counts[at] : 0;
    }

    /// <summary>Whether this answer holds every event <paramref name="earlier"/> held: no partition
    /// is behind where it was there.</summary>
    public bool Covers(ReceiverVersion earlier)
    {
        var partitions = earlier.Partitions;
        var counts = earlier.Counts;
        for (var i = 0; i < partitions.Length; i++)
        {
            if (CountOf(partitions[i]) < counts[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes the version compactly: its partition count, then each partition (as the
    /// step from the one before) and count, as 7-bit varints.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        var partitions = Partitions;
        var counts = Counts;
        writer.Write7BitEncodedInt(partitions.Length);
        for (var i = 0; i < partitions.Length; i++)
        {
            writer.Write7BitEncodedInt(partitions[i] - (i == 0 ? 0 : partitions[i - 1]));
            writer.Write7BitEncodedInt64(counts[i]);
        }
    }

    /// <summary>A version <see cref="WriteTo"/> wrote; null when the bytes are not one whose
    /// partitions are all below <paramref name="partitions"/> (each at most once).</summary>
    /// <exception cref="EndOfStreamException">The bytes end first.</exception>
    /// <exception cref="FormatException">A varint is malformed.</exception>
    public static ReceiverVersion? ReadFrom(BinaryReader reader, int partitions)
    {
        var length = reader.Read7BitEncodedInt();
        if (length < 0 || length > partitions)
        {
            return null;
        }

        var ids = new int[length];
        var counts = new long[length];
        for (var i = 0; i < length; i++)
        {
            var step = reader.Read7BitEncodedInt();
            var id = (i == 0 ? 0L : ids[i - 1]) + step;
            counts[i] = reader.Read7BitEncodedInt64();
            if (step < 0 || (i > 0 && step == 0) || id >= partitions || counts[i] < 0)
            {
                return null;
            }

            ids[i] = (int)id;
        }

        return new ReceiverVersion(ids, counts);
    }

    public bool Equals(ReceiverVersion? other) =>
        other is not null && Partitions.SequenceEqual(other.Partitions) && Counts.SequenceEqual(other.Counts);

    public override bool Equals(object? obj) => Equals(obj as ReceiverVersion);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Counts));
        return hash.ToHashCode();
    }

    /// <summary>"partition:count" pairs, space separated, partitions ascending (for diagnostics).</summary>
    public override string ToString()
    {
        var partitions = Partitions;
        var counts = Counts;
        var parts = new string[partitions.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{partitions[i]}:{counts[i]}");
        }

        return string.Join(' ', parts);
    }
}

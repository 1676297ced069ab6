namespace ProductOps.Domain;

/// <summary>Where an aggregate grain (a feature's or a tenant's) stood when it answered: for each
/// event-log partition that has changed it, the seq of the last event from there that did. A grain
/// applies a partition's events in order, so its figures hold every one of that partition's events
/// for it up to that seq, and of two answers, the one at or past the other in every partition holds
/// all the other held. After a silo crash a grain answers from its last flushed state until its
/// partitions send it the rest again; a watch tells such an answer by its version.</summary>
[GenerateSerializer, Immutable, Alias("productops.receiver-version")]
public sealed class ReceiverVersion : IEquatable<ReceiverVersion>
{
    // Sorted by partition, one seq each: a few hundred bytes at the default 32 partitions. Null
    // only if a sender left them out: such a version is not known (see IsKnown).
    [Id(0)] private readonly int[]? _partitions;
    [Id(1)] private readonly long[]? _seqs;

    private ReceiverVersion(int[] partitions, long[] seqs)
    {
        _partitions = partitions;
        _seqs = seqs;
    }

    /// <summary>False for a version read without its seqs (no sender of this build leaves them
    /// out): it says nothing, where an empty one says the grain holds no events.</summary>
    public bool IsKnown => _partitions is { } p && _seqs is { } s && p.Length == s.Length;

    private ReadOnlySpan<int> Partitions => IsKnown ? _partitions : [];

    private ReadOnlySpan<long> Seqs => Partitions.Length == 0 ? [] : _seqs;

    public static ReceiverVersion Of(IReadOnlyDictionary<int, long> lastEvents)
    {
        var partitions = new int[lastEvents.Count];
        var seqs = new long[lastEvents.Count];
        var i = 0;
        foreach (var (partition, seq) in lastEvents)
        {
            partitions[i] = partition;
            seqs[i++] = seq;
        }

        Array.Sort(partitions, seqs);
        return new ReceiverVersion(partitions, seqs);
    }

    /// <summary>The seq of the last event from <paramref name="partition"/> this grain held (0: none).</summary>
    public long SeqOf(int partition)
    {
        var at = Partitions.BinarySearch(partition);
        return at >= 0 ? Seqs[at] : 0;
    }

    /// <summary>Whether this answer holds every event <paramref name="earlier"/> held: no partition
    /// is behind where it was there.</summary>
    public bool Covers(ReceiverVersion earlier)
    {
        var partitions = earlier.Partitions;
        var seqs = earlier.Seqs;
        for (var i = 0; i < partitions.Length; i++)
        {
            if (SeqOf(partitions[i]) < seqs[i])
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(ReceiverVersion? other) =>
        other is not null && Partitions.SequenceEqual(other.Partitions) && Seqs.SequenceEqual(other.Seqs);

    public override bool Equals(object? obj) => Equals(obj as ReceiverVersion);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(Seqs));
        return hash.ToHashCode();
    }

    /// <summary>A version from its <see cref="ToString"/> form ("partition:seq", space separated,
    /// partitions ascending); null when <paramref name="text"/> is not one.</summary>
    public static ReceiverVersion? TryParse(string text)
    {
        var parts = text.Length == 0 ? [] : text.Split(' ');
        var partitions = new int[parts.Length];
        var seqs = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var colon = parts[i].IndexOf(':', StringComparison.Ordinal);
            if (colon < 0
                || !int.TryParse(parts[i].AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out partitions[i])
                || !long.TryParse(parts[i].AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out seqs[i])
                || (i > 0 && partitions[i] <= partitions[i - 1]))
            {
                return null;
            }
        }

        return new ReceiverVersion(partitions, seqs);
    }

    public override string ToString()
    {
        var partitions = Partitions;
        var seqs = Seqs;
        var parts = new string[partitions.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{partitions[i]}:{seqs[i]}");
        }

        return string.Join(' ', parts);
    }
}

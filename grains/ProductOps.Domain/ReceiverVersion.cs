namespace ProductOps.Domain;

/// <summary>Where an aggregate grain (a feature's or a tenant's) stood when it answered: its
/// watermark in each event-log partition that has sent it anything. Its figures hold exactly the
/// events up to those places, so of two answers, the one whose every watermark is at or past the
/// other's holds all the other held. After a silo crash a grain answers from its last flushed
/// state until its partitions send it the rest again; a watch tells such an answer by its version.</summary>
[GenerateSerializer, Immutable, Alias("productops.receiver-version")]
public sealed class ReceiverVersion : IEquatable<ReceiverVersion>
{
    // Sorted by partition, one watermark each: a few hundred bytes at the default 32 partitions.
    [Id(0)] private readonly int[] _partitions;
    [Id(1)] private readonly long[] _watermarks;

    private ReceiverVersion(int[] partitions, long[] watermarks)
    {
        _partitions = partitions;
        _watermarks = watermarks;
    }

    public static ReceiverVersion Of(IReadOnlyDictionary<int, long> watermarks)
    {
        var partitions = new int[watermarks.Count];
        var marks = new long[watermarks.Count];
        var i = 0;
        foreach (var (partition, watermark) in watermarks)
        {
            partitions[i] = partition;
            marks[i++] = watermark;
        }

        Array.Sort(partitions, marks);
        return new ReceiverVersion(partitions, marks);
    }

    public long WatermarkOf(int partition)
    {
        var at = Array.BinarySearch(_partitions, partition);
        return at >= 0 ? _watermarks[at] : 0;
    }

    /// <summary>Whether this answer holds every event <paramref name="earlier"/> held: no partition's
    /// watermark is behind the one it had there.</summary>
    public bool Covers(ReceiverVersion earlier)
    {
        for (var i = 0; i < earlier._partitions.Length; i++)
        {
            if (WatermarkOf(earlier._partitions[i]) < earlier._watermarks[i])
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(ReceiverVersion? other) =>
        other is not null && _partitions.AsSpan().SequenceEqual(other._partitions) && _watermarks.AsSpan().SequenceEqual(other._watermarks);

    public override bool Equals(object? obj) => Equals(obj as ReceiverVersion);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_watermarks.AsSpan()));
        return hash.ToHashCode();
    }

    public override string ToString() =>
        string.Join(' ', _partitions.Select((partition, i) => $"{partition}:{_watermarks[i]}"));
}

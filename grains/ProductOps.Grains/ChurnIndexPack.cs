using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The stored form of an at-risk index shard: its users' lines packed into byte chunks, with the
/// features they name in one table.
/// </summary>
/// <remarks>
/// Stored as objects, a shard of a few thousand users was tens of thousands of references, and
/// the Orleans serializer tracks every reference in a dictionary it builds anew per write: its
/// arrays grew onto the large object heap every time a shard was written (every few seconds
/// while users join), and large allocations trigger the full collections that stall the node
/// for a second. Chunks stay under the large-object size for any line short of ~20 KB.
/// <see cref="Format"/> 1 lines also carry the threshold a score was judged with and when a user
/// cancelled; format 0 lines (stored before) are read with neither.
/// </remarks>
[GenerateSerializer, Alias("productops.churn-index-pack")]
public sealed class ChurnIndexPack
{
    private const int ChunkBytes = 48 * 1024;
    private const int CurrentFormat = 1;
    private const byte HasRisk = 1;
    private const byte HasCancelled = 2;

    /// <summary>The features the lines name, by index.</summary>
    [Id(0)] public string[] Features { get; set; } = [];

    /// <summary>The lines, whole lines per chunk.</summary>
    [Id(1)] public List<byte[]> Chunks { get; set; } = [];

    /// <summary>The lines' layout: 0 as first stored, 1 with the judged threshold and the cancellation.</summary>
    [Id(2)] public int Format { get; set; }

    public static ChurnIndexPack Pack(IEnumerable<ChurnIndexEntry> entries)
    {
        var features = new Dictionary<string, int>(StringComparer.Ordinal);
        var chunks = new List<byte[]>();
        using var buffer = new MemoryStream(ChunkBytes + (16 * 1024));
        using var writer = new BinaryWriter(buffer);
        foreach (var entry in entries)
        {
            Write(writer, entry, features);
            if (buffer.Length >= ChunkBytes)
            {
                chunks.Add(buffer.ToArray());
                buffer.SetLength(0);
            }
        }

        if (buffer.Length > 0)
        {
            chunks.Add(buffer.ToArray());
        }

        var table = new string[features.Count];
        foreach (var (name, index) in features)
        {
            table[index] = name;
        }

        return new ChurnIndexPack { Features = table, Chunks = chunks, Format = CurrentFormat };
    }

    /// <summary>Adds every packed line to <paramref name="users"/>, by user id; lines share the
    /// table's feature names.</summary>
    public void UnpackInto(Dictionary<string, ChurnIndexEntry> users)
    {
        foreach (var entry in Unpack())
        {
            users[entry.UserId] = entry;
        }
    }

    /// <summary>The packed lines, in the order they were packed.</summary>
    public IEnumerable<ChurnIndexEntry> Unpack()
    {
        foreach (var chunk in Chunks)
        {
            using var reader = new BinaryReader(new MemoryStream(chunk, writable: false));
            while (reader.BaseStream.Position < chunk.Length)
            {
                yield return Read(reader);
            }
        }
    }

    private static void Write(BinaryWriter writer, ChurnIndexEntry entry, Dictionary<string, int> features)
    {
        writer.Write(entry.UserId);
        // Format 0 wrote a bool here, which reads as the flags with only HasRisk possible.
        writer.Write((byte)((entry.Risk is null ? 0 : HasRisk) | (entry.CancelledAtMs is null ? 0 : HasCancelled)));
        if (entry.Risk is { } risk)
        {
            writer.Write(risk.Probability);
            writer.Write7BitEncodedInt(risk.ModelVersion);
            writer.Write7BitEncodedInt64(risk.ScoredAtMs);
            writer.Write7BitEncodedInt(risk.Reasons.Count);
            foreach (var reason in risk.Reasons)
            {
                writer.Write(reason); // plain words with the user's values: rarely shared
            }

            writer.Write(entry.AlertThreshold);
        }

        if (entry.CancelledAtMs is { } cancelledAt)
        {
            writer.Write7BitEncodedInt64(cancelledAt);
        }

        writer.Write7BitEncodedInt(entry.Features.Count);
        foreach (var feature in entry.Features)
        {
            if (!features.TryGetValue(feature, out var index))
            {
                index = features.Count;
                features.Add(feature, index);
            }

            writer.Write7BitEncodedInt(index);
        }
    }

    private ChurnIndexEntry Read(BinaryReader reader)
    {
        var userId = reader.ReadString();
        var flags = reader.ReadByte();
        ChurnRisk? risk = null;
        var threshold = 0d;
        long? cancelledAt = null;
        if ((flags & HasRisk) != 0)
        {
            var probability = reader.ReadSingle();
            var modelVersion = reader.Read7BitEncodedInt();
            var scoredAtMs = reader.Read7BitEncodedInt64();
            var reasons = new string[reader.Read7BitEncodedInt()];
            for (var i = 0; i < reasons.Length; i++)
            {
                reasons[i] = reader.ReadString();
            }

            risk = new ChurnRisk(probability, modelVersion, scoredAtMs, reasons);
            threshold = Format >= 1 ? reader.ReadDouble() : 0;
        }

        if ((flags & HasCancelled) != 0)
        {
            cancelledAt = reader.Read7BitEncodedInt64();
        }

        var names = new string[reader.Read7BitEncodedInt()];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Features[reader.Read7BitEncodedInt()];
        }

        return new ChurnIndexEntry(userId, risk, names, threshold, cancelledAt);
    }
}

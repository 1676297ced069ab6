using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.churn-index-state")]
public sealed class ChurnIndexState
{
    [NonSerialized] private readonly Dictionary<string, ChurnIndexEntry> _users = new(StringComparer.Ordinal);

    /// <summary>Every user of the shard's partition with events, by user id.</summary>
    public Dictionary<string, ChurnIndexEntry> Users => _users;

    /// <summary>The form shards stored before <see cref="Packed"/>: read into <see cref="Users"/>,
    /// written as null.</summary>
    [Id(0)]
    internal Dictionary<string, ChurnIndexEntry>? EntryObjects
    {
        get => null;
        set
        {
            foreach (var (userId, entry) in value ?? [])
            {
                Users[userId] = entry;
            }
        }
    }

    /// <summary>The stored form of <see cref="Users"/> (<see cref="ChurnIndexPack"/> says why).</summary>
    [Id(1)]
    internal ChurnIndexPack? Packed
    {
        get => Users.Count == 0 ? null : ChurnIndexPack.Pack(Users.Values);
        set => value?.UnpackInto(Users);
    }
}

using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.churn-index-state")]
public sealed class ChurnIndexState
{
    [NonSerialized] private readonly Dictionary<string, ChurnIndexEntry> _users = new(StringComparer.Ordinal);
    [NonSerialized] private List<AtRiskCrossing> _pending = [];

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

    /// <summary>Crossings recorded and not yet taken by the tenant's feed, stored with the lines
    /// judged at risk that made them (a stored line never makes its crossing again).</summary>
    public List<AtRiskCrossing> PendingCrossings => _pending;

    /// <summary>The stored form of <see cref="PendingCrossings"/>: none in steady state.</summary>
    [Id(2)]
    internal PendingCrossingsPack? PendingPacked
    {
        get => PendingCrossings.Count == 0 ? null : PendingCrossingsPack.Pack(PendingCrossings);
        set => _pending = value?.Unpack() ?? [];
    }

    /// <summary>Crossings dropped before the feed took them (it was unreachable for long): the
    /// feed marks their place when it answers again.</summary>
    [Id(3)]
    public long DroppedCrossings { get; set; }

    /// <summary>The stored form of <see cref="Users"/> (<see cref="ChurnIndexPack"/> says why).</summary>
    [Id(1)]
    internal ChurnIndexPack? Packed
    {
        get => Users.Count == 0 ? null : ChurnIndexPack.Pack(Users.Values);
        set => value?.UnpackInto(Users);
    }
}

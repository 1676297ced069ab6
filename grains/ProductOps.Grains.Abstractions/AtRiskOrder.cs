namespace ProductOps.Grains.Abstractions;

/// <summary>Scored index entries (every shard and the merge of shards sort alike) by probability descending, then user id.</summary>
public sealed class AtRiskOrder : IComparer<ChurnIndexEntry>
{
    public static AtRiskOrder Instance { get; } = new();

    public int Compare(ChurnIndexEntry? x, ChurnIndexEntry? y) =>
        AtRiskCursor.Compare(x!.Risk!.Probability, x.UserId, y!.Risk!.Probability, y.UserId);
}

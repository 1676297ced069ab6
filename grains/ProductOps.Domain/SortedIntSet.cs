namespace ProductOps.Domain;

/// <summary>The stored form of a sorted set of ints (a user's active days, a feature's hours):
/// snapshots have always held these sets as this object, so the serialized shape stays.</summary>
[GenerateSerializer, Alias("productops.sorted-int-set")]
public sealed class SortedIntSet
{
    /// <summary>The members in order, without spare capacity.</summary>
    [Id(1)] internal int[] Stored { get; set; } = [];

    /// <summary>Snapshots written before <see cref="Stored"/> hold the members in a list.</summary>
    [Id(0)]
    internal List<int>? LegacyItems
    {
        get => null;
        set
        {
            if (value is not null)
            {
                Stored = [.. value];
            }
        }
    }
}

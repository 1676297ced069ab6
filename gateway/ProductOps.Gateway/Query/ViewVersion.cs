using ProductOps.Domain;

namespace ProductOps.Gateway.Query;

/// <summary>Where a watched view was read: its events of all time, which never go down, and the
/// version of each grain it was built from (<see cref="ReceiverVersion"/>: the feature's and the
/// tenant's for a feature view, the tenant's for an overview; null from a silo of an earlier build,
/// and one that is not <see cref="ReceiverVersion.IsKnown"/> counts as null).</summary>
public sealed record ViewVersion(long EventsAllTime, IReadOnlyList<ReceiverVersion?> Grains)
{
    /// <summary>Whether a view read here would take a caller's figures back from one read at
    /// <paramref name="sent"/>: fewer events of all time, or a grain that holds less than it held
    /// (after a silo crash, until its partitions send it the rest again). A view may have more
    /// events of all time while another of its figures is still behind; the versions tell.</summary>
    public bool IsBehind(ViewVersion sent)
    {
        if (EventsAllTime < sent.EventsAllTime)
        {
            return true;
        }

        for (var i = 0; i < Grains.Count && i < sent.Grains.Count; i++)
        {
            if (Grains[i] is { IsKnown: true } now && sent.Grains[i] is { IsKnown: true } then && !now.Covers(then))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>This version, where a grain of it is unknown (a silo of an earlier build answered),
    /// with <paramref name="earlier"/>'s for that grain: what the next view must still cover, so
    /// one view from an older silo does not end the comparison for the rest of the watch.</summary>
    public ViewVersion OrEarlierWhereUnknown(ViewVersion? earlier)
    {
        if (earlier is null || Grains.All(g => g is { IsKnown: true }))
        {
            return this;
        }

        var grains = new ReceiverVersion?[Grains.Count];
        for (var i = 0; i < grains.Length; i++)
        {
            grains[i] = Grains[i] is { IsKnown: true } known ? known : i < earlier.Grains.Count ? earlier.Grains[i] : null;
        }

        return this with { Grains = grains };
    }
}

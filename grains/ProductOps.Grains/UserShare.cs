using System.Runtime.InteropServices;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>One user's events of a dispatch cycle, in seq order, and the deltas its grain returned for them.</summary>
internal sealed class UserShare(string tenant, IUserGrain grain)
{
    public string Tenant { get; } = tenant;

    /// <summary>Its grain's reference, made with the share: off the partition's turn.</summary>
    public IUserGrain Grain { get; } = grain;

    public List<LoggedEvent> Events { get; } = [];

    /// <summary>Set once the user grain has answered.</summary>
    public AppliedDeltas? Deltas { get; set; }

    /// <summary>The cycle's events split by user, users in order of first appearance.</summary>
    public static List<UserShare> Split(IReadOnlyList<LoggedEvent> events, Func<string, string, IUserGrain> grainOf)
    {
        // Sized for the usual cycle, where most events are of different users.
        var byUser = new Dictionary<(string Tenant, string User), UserShare>(events.Count);
        var shares = new List<UserShare>(events.Count);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i].Event;
            // One lookup: most of a cycle's users are new to it, and each lookup hashes both strings.
            ref var share = ref CollectionsMarshal.GetValueRefOrAddDefault(byUser, (e.Tenant, e.UserId), out var known);
            if (!known)
            {
                share = new UserShare(e.Tenant, grainOf(e.Tenant, e.UserId));
                shares.Add(share);
            }

            share!.Events.Add(events[i]);
        }

        return shares;
    }
}

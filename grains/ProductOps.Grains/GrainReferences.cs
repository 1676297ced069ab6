using System.Text;

namespace ProductOps.Grains;

/// <summary>
/// Grain references for the dispatch path without Orleans' per-call interface lookup:
/// <c>GetGrain&lt;T&gt;(key)</c> formats and parses the interface's type name on every call, which was
/// about an eighth of what a dispatched event allocated. The grain and interface types are taken
/// once per interface from an ordinary reference (on a silo they always resolve: it hosts them).
/// </summary>
internal static class GrainReferences
{
    public static TGrain Get<TGrain>(IGrainFactory factory, string key)
        where TGrain : IGrainWithStringKey =>
        Get<TGrain>(factory, GrainId.Create(Types<TGrain>.Of(factory).Grain, key));

    /// <summary>By the key <see cref="Abstractions.GrainKeys.For"/> makes of <paramref name="tenant"/> and
    /// <paramref name="subject"/>, encoded straight into the id's bytes: the dispatch names hundreds
    /// of users a cycle, and the key string was made only to be encoded.</summary>
    public static TGrain Get<TGrain>(IGrainFactory factory, string tenant, string subject)
        where TGrain : IGrainWithStringKey
    {
        var key = new byte[Encoding.UTF8.GetByteCount(tenant) + 1 + Encoding.UTF8.GetByteCount(subject)];
        var split = Encoding.UTF8.GetBytes(tenant, key);
        key[split] = (byte)Abstractions.GrainKeys.Separator[0];
        Encoding.UTF8.GetBytes(subject, key.AsSpan(split + 1));
        return Get<TGrain>(factory, GrainId.Create(Types<TGrain>.Of(factory).Grain, new IdSpan(key)));
    }

    /// <summary>By the grain's id, which an activation holds already: no key string to build.</summary>
    public static TGrain Get<TGrain>(IGrainFactory factory, GrainId id)
        where TGrain : IGrainWithStringKey =>
        (TGrain)factory.GetGrain(id, Types<TGrain>.Of(factory).Interface);

    private sealed record ResolvedTypes(GrainType Grain, GrainInterfaceType Interface);

    private static class Types<TGrain>
        where TGrain : IGrainWithStringKey
    {
        private static ResolvedTypes? s_resolved; // a reference: published whole, never torn

        public static ResolvedTypes Of(IGrainFactory factory)
        {
            if (s_resolved is { } resolved)
            {
                return resolved;
            }

            var sample = (GrainReference)(object)factory.GetGrain<TGrain>("type-resolution");
            return s_resolved = new ResolvedTypes(sample.GrainId.Type, sample.InterfaceType);
        }
    }
}

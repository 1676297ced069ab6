namespace ProductOps.Grains.Abstractions;

/// <summary>Keys of tenant-scoped grains: "tenant/subject". Tenant ids never hold a '/', so the
/// first one splits the key even when a user id or feature name holds more.</summary>
public static class GrainKeys
{
    /// <summary>Between the tenant and the subject.</summary>
    public const string Separator = "/";

    public static string For(string tenant, string subject) => string.Concat(tenant, Separator, subject);

    public static (string Tenant, string Subject) Split(string key)
    {
        var slash = key.IndexOf(Separator, StringComparison.Ordinal);
        return slash < 0 ? (key, string.Empty) : (key[..slash], key[(slash + 1)..]);
    }
}

namespace ProductOps.Grains.Abstractions.Tenancy;

/// <summary>The well-known keys of the demo tenant: fine on a laptop, never in production.</summary>
public static class DevKeys
{
    public static IReadOnlySet<string> All { get; } =
        new HashSet<string>(["demo-ingest-key", "demo-read-key", "demo-admin-key"], StringComparer.Ordinal);

    /// <summary>Their SHA-256 digests (lowercase hex), so they are recognised when configured as digests too.</summary>
    public static IReadOnlySet<string> Digests { get; } =
        All.Select(TenantDirectory.Digest).ToHashSet(StringComparer.Ordinal);
}

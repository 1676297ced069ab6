namespace ProductOps.Grains;

/// <summary>An aggregate grain fed by a partition: a tenant's feature, or the tenant itself
/// when <see cref="Feature"/> is empty.</summary>
internal readonly record struct ReceiverKey(string Tenant, string Feature)
{
    public bool IsTenant => Feature.Length == 0;
}

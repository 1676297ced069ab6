namespace ProductOps.Domain;

/// <summary>A trait's value and the event time that set it (last writer by event time wins).
/// An empty value is a deletion kept as a tombstone, so the order of arrival never matters.</summary>
[GenerateSerializer, Immutable, Alias("productops.trait-value")]
public sealed record TraitValue([property: Id(0)] string Value, [property: Id(1)] long TimestampMs);

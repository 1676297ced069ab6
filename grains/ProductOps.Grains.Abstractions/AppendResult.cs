namespace ProductOps.Grains.Abstractions;

/// <summary>The outcome of an append: for each event of the request, whether the log already held
/// it (a retry), in request order.</summary>
[GenerateSerializer, Immutable, Alias("productops.append-result")]
public sealed record AppendResult([property: Id(0)] bool[] Duplicate);

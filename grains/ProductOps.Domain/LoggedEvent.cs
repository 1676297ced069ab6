namespace ProductOps.Domain;

/// <summary>An event committed to the log: its partition, its gap-free sequence number there,
/// and when it was committed (server time).</summary>
[GenerateSerializer, Immutable, Alias("productops.logged-event")]
public sealed record LoggedEvent(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Seq,
    [property: Id(2)] long CommittedAtMs,
    [property: Id(3)] TrackedEvent Event);

using ProductOps.Contracts.V1;
using ProductOps.Domain;

namespace ProductOps.Gateway.Ingest;

/// <summary>The valid events of a request, with their index in it, and the rejected ones.</summary>
public sealed record IntakeResult(IReadOnlyList<(int Index, TrackedEvent Event)> Accepted, IReadOnlyList<RejectedEvent> Rejected);

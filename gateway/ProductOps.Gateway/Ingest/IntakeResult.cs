using ProductOps.Contracts.V1;
using ProductOps.Domain;

namespace ProductOps.Gateway.Ingest;

/// <summary>The valid events of a request, in request order, and the rejected ones.</summary>
public sealed record IntakeResult(IReadOnlyList<TrackedEvent> Accepted, IReadOnlyList<RejectedEvent> Rejected);

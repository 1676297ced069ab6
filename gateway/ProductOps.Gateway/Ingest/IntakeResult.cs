using ProductOps.Contracts.V1;
using ProductOps.Domain;

namespace ProductOps.Gateway.Ingest;

/// <summary>A request's batch id, its valid events in request order, and the rejected ones.</summary>
public sealed record IntakeResult(string BatchId, IReadOnlyList<TrackedEvent> Accepted, IReadOnlyList<RejectedEvent> Rejected);

using ProductOps.Domain;

namespace ProductOps.Storage;

/// <summary>What a commit wrote: the logged events (new ones only) and, per input event, whether
/// it was a duplicate.</summary>
public sealed record AppendOutcome(IReadOnlyList<LoggedEvent> Logged, bool[] Duplicate, long Head);

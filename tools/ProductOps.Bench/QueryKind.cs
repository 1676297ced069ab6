namespace ProductOps.Bench;

/// <summary>One query a <see cref="QueryLoad"/> sends in turn: its name in the report, and the call,
/// given a random draw (to pick a user or a feature) and the phase's token.</summary>
internal sealed record QueryKind(string Name, Func<ulong, CancellationToken, Task> Send);

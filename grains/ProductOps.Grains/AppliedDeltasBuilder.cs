using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// Collects the deltas of a user's events, event by event, into one <see cref="AppliedDeltas"/>.
/// One per thread: a grain fills and builds it without awaiting in between, so its buffers are
/// reused across calls and grains instead of being held by every user grain.
/// </summary>
internal sealed class AppliedDeltasBuilder
{
    [ThreadStatic]
    private static AppliedDeltasBuilder? t_current;

    private readonly List<long> _seqs = [];
    private readonly List<int> _ends = [];

    /// <summary>The current event's deltas are appended here (<see cref="UserActivity.Apply"/>).</summary>
    public List<CounterDelta> Deltas { get; } = [];

    /// <summary>This thread's builder, empty (a call that threw may have left it half full).</summary>
    public static AppliedDeltasBuilder Start()
    {
        var builder = t_current ??= new AppliedDeltasBuilder();
        builder.Clear();
        return builder;
    }

    /// <summary>Closes an event: the deltas appended since the previous one are <paramref name="seq"/>'s.</summary>
    public void EndEvent(long seq)
    {
        _seqs.Add(seq);
        _ends.Add(Deltas.Count);
    }

    /// <summary>Adds an event whose deltas were computed before.</summary>
    public void Add(long seq, ReadOnlySpan<CounterDelta> deltas)
    {
        Deltas.AddRange(deltas);
        EndEvent(seq);
    }

    /// <summary>The events collected since <see cref="Start"/>.</summary>
    public AppliedDeltas Build() => new([.. _seqs], [.. _ends], [.. Deltas]);

    private void Clear()
    {
        _seqs.Clear();
        _ends.Clear();
        Deltas.Clear();
    }
}

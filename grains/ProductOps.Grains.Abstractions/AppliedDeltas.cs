using ProductOps.Domain;

namespace ProductOps.Grains.Abstractions;

/// <summary>
/// The counter deltas of a run of one user's events, in seq order, flat: event i's deltas are
/// <c>Deltas[Ends[i - 1]..Ends[i]]</c> (from 0 for the first). One array per apply call rather
/// than one per event; the user grain keeps a copy, so a re-dispatch gets the same answer.
/// </summary>
[GenerateSerializer, Immutable, Alias("productops.applied-deltas")]
public sealed record AppliedDeltas(
    [property: Id(0)] long[] Seqs,
    [property: Id(1)] int[] Ends,
    [property: Id(2)] CounterDelta[] Deltas)
{
    /// <summary>The deltas of the run's event at <paramref name="index"/>.</summary>
    public ReadOnlySpan<CounterDelta> Of(int index)
    {
        var start = index == 0 ? 0 : Ends[index - 1];
        return Deltas.AsSpan(start, Ends[index] - start);
    }

    /// <summary>The index of the event with <paramref name="seq"/> in the run, or -1.</summary>
    public int IndexOf(long seq)
    {
        var index = Array.BinarySearch(Seqs, seq);
        return index >= 0 ? index : -1;
    }
}

using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// The counter deltas a user grain keeps for its events after the partition's last checkpoint,
/// so a re-dispatch gets the very answer the first dispatch got. They live in the silo's journal
/// of the user's partition (<see cref="PartitionDeltaJournal"/>, where the reason is); the user
/// holds only the seq of its latest kept event, from which each kept event names the one before.
/// </summary>
/// <remarks>Until its grain attaches it to the partition's journal (a state just read, a test) it
/// keeps its deltas in a journal of its own, which <see cref="AttachTo"/> moves over. A struct held
/// in its owner's field (an object less for each of a node's users): made with <c>new()</c>, never
/// <c>default</c>, and changed only through that field or a ref to it.</remarks>
internal struct KeptDeltas
{
    private PartitionDeltaJournal? _journal;
    private long _last;

    public KeptDeltas() => _last = PartitionDeltaJournal.NoneKept;

    private PartitionDeltaJournal Journal => _journal ??= new PartitionDeltaJournal();

    /// <summary>How many events' deltas are kept.</summary>
    public int Count => ToRun().Seqs.Length;

    /// <summary>Keeps the deltas in <paramref name="journal"/> from now on, with those kept so far.</summary>
    public void AttachTo(PartitionDeltaJournal journal)
    {
        if (ReferenceEquals(_journal, journal))
        {
            return;
        }

        var kept = _journal is null ? null : _journal.RunEndingAt(_last);
        (_journal, _last) = (journal, PartitionDeltaJournal.NoneKept);
        if (kept is not null)
        {
            AddNew(kept);
        }
    }

    /// <summary>Keeps the deltas of the run's events after the last one kept; the others (events
    /// sent again) are kept already.</summary>
    public void AddNew(AppliedDeltas run) => _last = Journal.AddNew(run, _last);

    /// <summary>The kept deltas of <paramref name="seq"/>; false when none are kept for it.</summary>
    /// <remarks>A new array: only a re-dispatch or a snapshot asks.</remarks>
    public bool TryFind(long seq, out CounterDelta[] deltas) => Journal.TryFind(seq, out deltas);

    /// <summary>Drops the deltas of events at or below <paramref name="checkpoint"/>: never asked for
    /// again. The journal is the partition's: this drops every user's.</summary>
    public void DropThrough(long checkpoint) => Journal.DropThrough(checkpoint);

    /// <summary>Everything kept as one run: the stored form.</summary>
    public AppliedDeltas ToRun() => Journal.RunEndingAt(_last) ?? new AppliedDeltas([], [], []);

    /// <summary>Forgets what was kept: what is added next starts over (an upgrade re-adds the same
    /// events, whose deltas replace the journal's).</summary>
    public void Clear() => _last = PartitionDeltaJournal.NoneKept;
}

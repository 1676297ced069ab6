using Orleans.Storage;
using ProductOps.Domain;

namespace ProductOps.Grains;

/// <summary>
/// A receiver's counters (a feature's or a tenant's), stored so that a checkpoint writes what
/// changed rather than the receiver's whole history: its own record holds its ledger and the
/// counters changed since a second record, the history, was written, with their values now; the
/// history holds every counter and is rewritten only once enough have changed
/// (<see cref="Abstractions.PipelineOptions.ReceiverHistoryRewriteAfter"/>, and at least a quarter
/// of them). A feature of a year holds ~37,000 hourly counters, of which a checkpoint changes a few.
/// </summary>
/// <remarks>
/// Exactly once rests on the history never holding anything the receiver's record does not: it
/// is written right after that record, in the same write, while the state holds still
/// (<see cref="SharedWrite"/>), so the history equals the history before with the record's
/// changes laid over it. A crash between the two writes, or before the record is written again
/// with no changes, leaves changes on disk whose values the history already has; laying them
/// over it again changes nothing. A history write that failed leaves the changes to the next write.
/// </remarks>
internal sealed class ReceiverCounters<TRecord>(IPersistentState<TRecord> record, string historyName, IGrainStorage storage, int rewriteAfter)
    where TRecord : IReceiverRecord
{
    private const string MigratingChangesKey = "productops.receiver-changes";
    private readonly StoredState<CounterValues> _history = new(historyName);
    private CounterValues? _migratedChanges;

    /// <summary>Every counter, changes tracked; replaced by <see cref="LoadAsync"/>.</summary>
    public CounterSet Set { get; private set; } = new();

    /// <summary>Reads the history and lays the (already read) record's changes over it. A record
    /// written before the history existed holds every counter instead: all of them count as
    /// changed until the first history is written. An activation that moved here from another
    /// silo takes the changes it brought. Call on activation.</summary>
    public async Task LoadAsync(GrainId grain)
    {
        await _history.ReadAsync(storage, grain);
        var stored = record.State;
        var changes = _migratedChanges ?? (stored.Counters is { Count: > 0 } whole ? whole.Snapshot() : stored.Changes);
        Set = CounterSet.Restore(_history.State, changes);
        _migratedChanges = null;
        _history.State = CounterValues.Empty; // only its ETag is needed from here: no second copy
        stored.Counters = null;
        stored.Changes = CounterValues.Empty;
    }

    /// <summary>Orleans moves an activation to another silo with its record as held in memory, not
    /// as stored, and the record holds no counters between writes: the changes since the history
    /// (which stays in the store) move beside it.</summary>
    public void OnDehydrate(IDehydrationContext context) => context.TryAddValue(MigratingChangesKey, Set.Changes());

    public void OnRehydrate(IRehydrationContext context)
    {
        if (context.TryGetValue<CounterValues>(MigratingChangesKey, out var changes) && changes is not null)
        {
            _migratedChanges = changes;
        }
    }

    /// <summary>Writes the receiver's record with the changes it must hold; then, once enough
    /// changed, the history, and the record again with no changes.</summary>
    public async Task WriteAsync(GrainId grain)
    {
        await WriteRecordAsync(Set.Changes());
        if (Set.ChangedCount < Math.Max(rewriteAfter, Set.Count / 4))
        {
            return;
        }

        _history.State = Set.Snapshot();
        try
        {
            await _history.WriteAsync(storage, grain);
        }
        finally
        {
            _history.State = CounterValues.Empty;
        }

        Set.ForgetChanges();
        await WriteRecordAsync(CounterValues.Empty);
    }

    private async Task WriteRecordAsync(CounterValues changes)
    {
        record.State.Changes = changes;
        try
        {
            await record.WriteStateAsync();
        }
        finally
        {
            record.State.Changes = CounterValues.Empty; // written: the set holds them, no second copy
        }
    }
}

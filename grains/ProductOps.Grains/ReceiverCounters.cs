using Orleans.Storage;
using ProductOps.Domain;

namespace ProductOps.Grains;

/// <summary>
/// A receiver's counters (a feature's or a tenant's), stored so that a checkpoint writes what
/// changed rather than the receiver's whole history: its own record holds its ledger and the
/// counters changed since a second record, the history, was written, with their values now; the
/// history holds every counter. A feature of a year holds ~37,000 hourly counters, of which a
/// checkpoint changes a few dozen.
/// </summary>
/// <remarks>
/// <para>The history is rewritten (and the changes forgotten) once the records written since the
/// last rewrite held, in all, as many counters as the whole set, and at least
/// <see cref="Abstractions.PipelineOptions.ReceiverHistoryRewriteAfter"/>: the bytes a checkpoint
/// writes stay about twice what changes, however old the receiver, rather than growing until a
/// rewrite.</para>
/// <para>Exactly once rests on the history never holding anything the own record does not: it is
/// written right after that record, in the same write, while the state holds still
/// (<see cref="SharedWrite"/>). Changes hold values, not amounts, so laying them over a history
/// that already has them (a crash after the history write, before the own record is written again
/// without them) changes nothing, and over one that lacks them (the history write failed) gives
/// the set as recorded. A stale second activation (for a moment after a silo failure) may read
/// the own record before a rewrite and the history after it, and answer queries from that mix
/// until its first write, which the own record's etag refuses.</para>
/// </remarks>
internal sealed class ReceiverCounters<TRecord>(IPersistentState<TRecord> record, string historyName, IGrainStorage storage, int rewriteAfter)
    where TRecord : IReceiverRecord
{
    private const string MigratingChangesKey = "productops.receiver-changes";
    private readonly StoredState<CounterValues> _history = new(historyName);
    private CounterValues? _migratedChanges;
    private long _writtenSinceRewrite; // counters the own record held, summed over its writes since the last rewrite
    private bool _loaded;

    /// <summary>Every counter, its changes tracked once <see cref="LoadAsync"/> has run (on activation).</summary>
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
        _writtenSinceRewrite = changes.Count;
        _migratedChanges = null;
        _history.State = CounterValues.Empty; // only its ETag is needed from here: no second copy
        stored.Counters = null;
        stored.Changes = CounterValues.Empty;
        _loaded = true;
    }

    /// <summary>Orleans moves an activation to another silo with its record as held in memory, not
    /// as stored, and the record holds no counters between writes: the changes since the history
    /// (which stays in the store) move beside it.</summary>
    public void OnDehydrate(IDehydrationContext context)
    {
        if (_loaded) // else the record still holds the changes it was read with, and they travel in it
        {
            context.TryAddValue(MigratingChangesKey, Set.Changes());
        }
    }

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
        var changes = Set.Changes();
        await WriteRecordAsync(changes);
        _writtenSinceRewrite += changes.Count;
        if (_writtenSinceRewrite < Math.Max(rewriteAfter, Set.Count))
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
        _writtenSinceRewrite = 0;
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

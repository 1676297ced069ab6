using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// The one write connection of state.db, with group commit: every write queued while a
/// transaction runs goes into the next one. A checkpoint makes every receiver a partition fed
/// persist, and user grains snapshot as they go, so writes come in bursts of hundreds; one
/// transaction each made them queue behind each other (and the grains awaiting them, queries
/// included, with them). Each write still checks its own row version, and fails alone.
/// </summary>
internal sealed class SqliteStateWriter : IDisposable
{
    public const string Schema = """
        CREATE TABLE IF NOT EXISTS grain_state (
            state_name TEXT NOT NULL,
            grain_id   TEXT NOT NULL,
            version    INTEGER NOT NULL,
            data       BLOB NOT NULL,
            PRIMARY KEY (state_name, grain_id));
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _queueGate = new();
    private readonly Lock _connectionGate = new();
    private readonly PreparedTransaction _transaction;
    private readonly PreparedStatement _insert;
    private readonly PreparedStatement _update;
    private readonly PreparedStatement _delete;
    private List<StateChange> _queue = [];
    private bool _writing;

    public SqliteStateWriter(SqliteConnection connection)
    {
        _connection = connection;
        SqliteDatabase.Execute(connection, Schema);
        var db = connection.Handle!;
        _transaction = new PreparedTransaction(db);
        _insert = new PreparedStatement(db, "INSERT INTO grain_state (state_name, grain_id, version, data) VALUES (?1, ?2, 1, ?3) ON CONFLICT DO NOTHING");
        _update = new PreparedStatement(db, "UPDATE grain_state SET version = ?4, data = ?3 WHERE state_name = ?1 AND grain_id = ?2 AND version = ?5");
        _delete = new PreparedStatement(db, "DELETE FROM grain_state WHERE state_name = ?1 AND grain_id = ?2");
    }

    /// <summary>Stores <paramref name="data"/> as version <paramref name="expected"/> + 1 (1 for
    /// a new row); completes once committed, or with <see cref="StaleVersionException"/> when the
    /// stored version is not <paramref name="expected"/>. Disposes <paramref name="data"/> once
    /// the transaction is over, stored or not.</summary>
    public Task WriteAsync(string stateName, string grainId, RentedBuffer data, long? expected) =>
        Enqueue(new StateChange(stateName, grainId, data, expected));

    public Task DeleteAsync(string stateName, string grainId) =>
        Enqueue(new StateChange(stateName, grainId, null, null));

    public void Dispose()
    {
        lock (_connectionGate)
        {
            _transaction.Dispose();
            _insert.Dispose();
            _update.Dispose();
            _delete.Dispose();
            _connection.Dispose();
        }
    }

    private Task Enqueue(StateChange change)
    {
        bool start;
        lock (_queueGate)
        {
            _queue.Add(change);
            start = !_writing;
            _writing = true;
        }

        if (start)
        {
            _ = Task.Run(WriteQueued);
        }

        return change.Done.Task;
    }

    /// <summary>Commits what is queued, then what queued meanwhile, until nothing is left.</summary>
    private void WriteQueued()
    {
        while (true)
        {
            List<StateChange> batch;
            lock (_queueGate)
            {
                if (_queue.Count == 0)
                {
                    _writing = false;
                    return;
                }

                batch = _queue;
                _queue = [];
            }

            Commit(batch);
        }
    }

    private void Commit(List<StateChange> batch)
    {
        var applied = new bool[batch.Count];
        try
        {
            Store(batch, applied);
        }
        catch (Exception e)
        {
            foreach (var change in batch)
            {
                change.Done.TrySetException(e); // nothing of this batch was stored
            }

            return;
        }
        finally
        {
            foreach (var change in batch)
            {
                change.Data?.Dispose();
            }
        }

        for (var i = 0; i < batch.Count; i++)
        {
            if (applied[i])
            {
                batch[i].Done.TrySetResult();
            }
            else
            {
                batch[i].Done.TrySetException(new StaleVersionException());
            }
        }
    }

    private void Store(List<StateChange> batch, bool[] applied)
    {
        lock (_connectionGate)
        {
            _transaction.Run(() =>
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    applied[i] = Apply(batch[i]);
                }

                return applied;
            });
        }
    }

    /// <summary>Runs one change inside the open transaction; false when its version check failed.</summary>
    private bool Apply(StateChange change)
    {
        PreparedStatement statement;
        if (change.Data is null)
        {
            statement = _delete;
        }
        else if (change.Expected is { } expected)
        {
            statement = _update;
            raw.sqlite3_bind_blob(statement.Statement, 3, change.Data.WrittenSpan);
            statement.Bind(4, expected + 1);
            statement.Bind(5, expected);
        }
        else
        {
            statement = _insert;
            raw.sqlite3_bind_blob(statement.Statement, 3, change.Data.WrittenSpan);
        }

        statement.Bind(1, change.StateName);
        statement.Bind(2, change.GrainId);
        statement.Run();
        return change.Data is null || raw.sqlite3_changes(_connection.Handle) == 1;
    }

    private sealed record StateChange(string StateName, string GrainId, RentedBuffer? Data, long? Expected)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The stored row's version was not the one the write expected: another activation wrote it.</summary>
internal sealed class StaleVersionException() : Exception("the stored version is not the expected one");

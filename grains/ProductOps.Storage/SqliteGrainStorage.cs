using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// The embedded grain storage: one SQLite file (DataDir/state.db), state serialized with the
/// Orleans serializer. The etag is a row version checked on every write, so a stale activation
/// can never overwrite a newer state. State is serialized on the caller's turn, so what is stored
/// is the state as it was when the write was asked for; writes are group-committed by one writer
/// (<see cref="SqliteStateWriter"/>), and reads use pooled connections of their own (WAL: a read
/// never waits for the writer).
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    private readonly string _path;
    private readonly string _synchronous;
    private readonly Serializer _serializer;
    private readonly SqliteStateWriter _writer;
    private readonly ConcurrentBag<PreparedStatement> _readers = [];
    private readonly ConcurrentBag<IDisposable> _readConnections = [];

    /// <summary>Where a data directory keeps grain state (and the data set's record).</summary>
    internal static string StateFile(string dataDir) => Path.Combine(dataDir, "state.db");

    public SqliteGrainStorage(IOptions<StorageOptions> options, Serializer serializer)
    {
        _serializer = serializer;
        Directory.CreateDirectory(options.Value.DataDir);
        _path = StateFile(options.Value.DataDir);
        _synchronous = options.Value.SqliteSynchronous;
        _writer = new SqliteStateWriter(SqliteDatabase.Open(_path, _synchronous));
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // A primary-key lookup: cheaper to run here than to hand to another thread.
        PreparedStatement select;
        try
        {
            select = _readers.TryTake(out var pooled) ? pooled : NewReader();
        }
        catch (SqliteException e)
        {
            return Task.FromException(Named(e));
        }

        try
        {
            select.Bind(1, stateName);
            select.Bind(2, grainId.ToString());
            if (!select.Step())
            {
                grainState.State = Activator.CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return Task.CompletedTask;
            }

            grainState.State = _serializer.Deserialize<T>(raw.sqlite3_column_blob(select.Statement, 1));
            grainState.ETag = select.ColumnInt64(0).ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
            return Task.CompletedTask;
        }
        catch (Exception e)
        {
            return Task.FromException(e is SqliteException failure ? Named(failure) : e);
        }
        finally
        {
            select.Reset();
            _readers.Add(select);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var data = new RentedBuffer();
        try
        {
            _serializer.Serialize(grainState.State, data);
        }
        catch
        {
            data.Dispose();
            throw;
        }

        long? expected = grainState.ETag is null ? null : long.Parse(grainState.ETag, CultureInfo.InvariantCulture);
        try
        {
            await _writer.WriteAsync(stateName, grainId.ToString(), data, expected);
        }
        catch (StaleVersionException)
        {
            throw new InconsistentStateException($"state {stateName} of {grainId} was written by another activation", grainState.ETag ?? "none", "unknown");
        }
        catch (SqliteException e)
        {
            throw Named(e);
        }

        grainState.ETag = ((expected ?? 0) + 1).ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await _writer.DeleteAsync(stateName, grainId.ToString());
        }
        catch (SqliteException e)
        {
            throw Named(e);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    }

    public void Dispose()
    {
        _writer.Dispose();
        foreach (var reader in _readers)
        {
            reader.Dispose();
        }

        foreach (var connection in _readConnections)
        {
            connection.Dispose();
        }
    }

    /// <summary>SQLite's own message names no file, and a grain's failed read or write is logged by
    /// Orleans with nothing but the exception.</summary>
    private DataFileException Named(SqliteException failure) => new(Path.GetFullPath(_path), failure);

    private PreparedStatement NewReader()
    {
        var connection = SqliteDatabase.Open(_path, _synchronous);
        _readConnections.Add(connection);
        return new PreparedStatement(connection.Handle!, "SELECT version, data FROM grain_state WHERE state_name = ?1 AND grain_id = ?2");
    }
}

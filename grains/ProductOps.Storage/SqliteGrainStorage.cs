using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace ProductOps.Storage;

/// <summary>
/// The embedded grain storage: one SQLite file (DataDir/state.db), state serialized with the
/// Orleans serializer. The etag is a row version checked on every write, so a stale activation
/// can never overwrite a newer state.
/// </summary>
public sealed class SqliteGrainStorage : IGrainStorage, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Serializer _serializer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public SqliteGrainStorage(IOptions<StorageOptions> options, Serializer serializer)
    {
        _serializer = serializer;
        Directory.CreateDirectory(options.Value.DataDir);
        _connection = SqliteDatabase.Open(Path.Combine(options.Value.DataDir, "state.db"), options.Value.SqliteSynchronous);
        SqliteDatabase.Execute(_connection, """
            CREATE TABLE IF NOT EXISTS grain_state (
                state_name TEXT NOT NULL,
                grain_id   TEXT NOT NULL,
                version    INTEGER NOT NULL,
                data       BLOB NOT NULL,
                PRIMARY KEY (state_name, grain_id));
            """);
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Run(() =>
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT version, data FROM grain_state WHERE state_name = $name AND grain_id = $id";
        command.Parameters.AddWithValue("$name", stateName);
        command.Parameters.AddWithValue("$id", grainId.ToString());
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>((byte[])reader.GetValue(1));
        grainState.ETag = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    });

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Run(() =>
    {
        var data = _serializer.SerializeToArray(grainState.State);
        using var command = _connection.CreateCommand();
        command.Parameters.AddWithValue("$name", stateName);
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.Parameters.AddWithValue("$data", data);
        long version;
        if (grainState.ETag is null)
        {
            version = 1;
            command.CommandText = "INSERT INTO grain_state (state_name, grain_id, version, data) VALUES ($name, $id, 1, $data) ON CONFLICT DO NOTHING";
        }
        else
        {
            var expected = long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture);
            version = expected + 1;
            command.CommandText = "UPDATE grain_state SET version = $version, data = $data WHERE state_name = $name AND grain_id = $id AND version = $expected";
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$expected", expected);
        }

        if (command.ExecuteNonQuery() != 1)
        {
            throw new InconsistentStateException($"state {stateName} of {grainId} was written by another activation", grainState.ETag ?? "none", "unknown");
        }

        grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    });

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Run(() =>
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "DELETE FROM grain_state WHERE state_name = $name AND grain_id = $id";
        command.Parameters.AddWithValue("$name", stateName);
        command.Parameters.AddWithValue("$id", grainId.ToString());
        command.ExecuteNonQuery();
        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
    });

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    // One connection, one statement at a time. Waiting for the turn is asynchronous, so a burst of
    // writes never parks thread-pool threads; the statement itself runs off the grain's turn.
    private async Task Run(Action action)
    {
        await _gate.WaitAsync();
        try
        {
            await Task.Run(action);
        }
        finally
        {
            _gate.Release();
        }
    }
}

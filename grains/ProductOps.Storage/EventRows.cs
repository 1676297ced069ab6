using System.Text.Json;
using ProductOps.Domain;
using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// Inserts a commit's new events into the events table, <see cref="MultiRowInsert.Rows"/> rows to
/// a statement. Used inside the writer's transaction, under its lock.
/// </summary>
/// <remarks>The rows' text is bound without a copy from one <see cref="Utf8Row"/> buffer, which
/// every statement's rows fill anew, so rows wait here (as references) until a statement's worth
/// has gathered or the commit calls <see cref="Flush"/>; nothing in the commit reads them back
/// before then.</remarks>
internal sealed class EventRows : IDisposable
{
    public const int RowsPerStatement = MultiRowInsert.Rows;

    private const int Columns = 13;
    private const string Insert = "INSERT INTO events (user_key, event_key, seq, committed_at, tenant, user_id, event_id, name, feature, ts, value, session_id, properties)";

    private readonly MultiRowInsert _insert;
    private readonly Utf8Row _text = new(); // the statements' text parameters point into it
    private readonly Row[] _pending = new Row[RowsPerStatement];
    private readonly string?[] _properties = new string?[RowsPerStatement];
    private int _count;

    public EventRows(sqlite3 db) => _insert = new MultiRowInsert(db, Insert, Columns);

    /// <summary>Forgets rows left over from a commit that failed (its transaction rolled back).</summary>
    public void Clear()
    {
        Array.Clear(_pending);
        _count = 0;
    }

    /// <summary>Inserts the row now, or with the next ones.</summary>
    public void Add(TrackedEvent e, long userKey, long eventKey, long seq, long committedAtMs)
    {
        _pending[_count++] = new Row(e, userKey, eventKey, seq, committedAtMs);
        if (_count == RowsPerStatement)
        {
            Write(_insert.Many, 0, RowsPerStatement);
            Clear();
        }
    }

    /// <summary>Inserts the rows still waiting, one to a statement (fewer than a full statement's).</summary>
    public void Flush()
    {
        for (var i = 0; i < _count; i++)
        {
            Write(_insert.One, i, 1);
        }

        Clear();
    }

    public void Dispose() => _insert.Dispose();

    /// <summary>Binds rows <paramref name="from"/> .. + <paramref name="rows"/> to the statement and steps it once.</summary>
    private void Write(PreparedStatement statement, int from, int rows)
    {
        var chars = 0;
        for (var r = 0; r < rows; r++)
        {
            var e = _pending[from + r].Event;
            var properties = _properties[r] = e.Properties is { Count: > 0 } map ? JsonSerializer.Serialize(map) : null;
            chars += e.Tenant.Length + e.UserId.Length + e.EventId.Length + e.Name.Length + e.Feature.Length
                + e.SessionId.Length + (properties?.Length ?? 0);
        }

        _text.Start(chars);
        for (var r = 0; r < rows; r++)
        {
            var (e, userKey, eventKey, seq, committedAtMs) = _pending[from + r];
            var p = r * Columns;
            statement.Bind(p + 1, userKey);
            statement.Bind(p + 2, eventKey);
            statement.Bind(p + 3, seq);
            statement.Bind(p + 4, committedAtMs);
            statement.Bind(p + 5, _text.Add(e.Tenant));
            statement.Bind(p + 6, _text.Add(e.UserId));
            statement.Bind(p + 7, _text.Add(e.EventId));
            statement.Bind(p + 8, _text.Add(e.Name));
            statement.Bind(p + 9, _text.Add(e.Feature));
            statement.Bind(p + 10, e.TimestampMs);
            statement.Bind(p + 11, e.Value);
            statement.Bind(p + 12, _text.Add(e.SessionId));
            if (_properties[r] is { } properties)
            {
                statement.Bind(p + 13, _text.Add(properties));
            }
            else
            {
                statement.BindNull(p + 13);
            }
        }

        Array.Clear(_properties);
        statement.Run();
    }

    private readonly record struct Row(TrackedEvent Event, long UserKey, long EventKey, long Seq, long CommittedAtMs);
}

using SQLitePCL;

namespace ProductOps.Storage;

/// <summary>
/// An INSERT prepared twice on a connection: for one row, and for <see cref="Rows"/> rows at once,
/// with the parameters numbered in row order ((?1, ?2), (?3, ?4) for two rows of two columns).
/// A statement stepped once per row spent about as much on starting and finishing each step
/// (opening the table's cursor, checking the transaction, resetting) as on the row itself.
/// </summary>
internal sealed class MultiRowInsert : IDisposable
{
    public const int Rows = 16;

    /// <summary>Prepares both on <paramref name="db"/>: <paramref name="insert"/> is the statement up to
    /// its VALUES (<c>INSERT INTO t (a, b)</c>), with <paramref name="columns"/> values a row.</summary>
    public MultiRowInsert(sqlite3 db, string insert, int columns)
    {
        One = new PreparedStatement(db, $"{insert} {Values(1, columns)}");
        try
        {
            Many = new PreparedStatement(db, $"{insert} {Values(Rows, columns)}");
        }
        catch
        {
            One.Dispose();
            throw;
        }
    }

    /// <summary>Inserts one row.</summary>
    public PreparedStatement One { get; }

    /// <summary>Inserts <see cref="Rows"/> rows.</summary>
    public PreparedStatement Many { get; }

    public void Dispose()
    {
        One.Dispose();
        Many.Dispose();
    }

    private static string Values(int rows, int columns) =>
        "VALUES " + string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range((r * columns) + 1, columns).Select(i => $"?{i}")) + ")"));
}

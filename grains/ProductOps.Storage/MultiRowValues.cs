namespace ProductOps.Storage;

/// <summary>The VALUES list of an INSERT of several rows at once, numbered in row order:
/// (?1, ?2), (?3, ?4) for two rows of two columns.</summary>
internal static class MultiRowValues
{
    /// <summary>How many rows the writer's multi-row INSERTs take at a time: a statement stepped
    /// once per row spent about as much on starting and finishing each step (opening the table's
    /// cursor, checking the transaction, resetting) as on the row itself.</summary>
    public const int Rows = 16;

    public static string Of(int rows, int columns) =>
        "VALUES " + string.Join(", ", Enumerable.Range(0, rows).Select(r =>
            "(" + string.Join(", ", Enumerable.Range((r * columns) + 1, columns).Select(i => $"?{i}")) + ")"));
}

namespace ProductOps.Cli;

/// <summary>A plain-text table; columns whose cells are all numbers are right-aligned.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int RowCount => _rows.Count;

    public void AddRow(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"Expected {headers.Length} cells, got {cells.Length}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(TextWriter writer)
    {
        var widths = new int[headers.Length];
        var numeric = new bool[headers.Length];
        for (var c = 0; c < headers.Length; c++)
        {
            widths[c] = headers[c].Length;
            numeric[c] = _rows.Count > 0;
            foreach (var row in _rows)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
                numeric[c] &= IsNumber(row[c]);
            }
        }

        WriteRow(writer, headers, widths, numeric);
        WriteRow(writer, Array.ConvertAll(widths, w => new string('-', w)), widths, numeric);
        foreach (var row in _rows)
        {
            WriteRow(writer, row, widths, numeric);
        }
    }

    private static void WriteRow(TextWriter writer, string[] cells, int[] widths, bool[] numeric)
    {
        for (var c = 0; c < cells.Length; c++)
        {
            if (c > 0)
            {
                writer.Write("  ");
            }

            var last = c == cells.Length - 1;
            writer.Write(numeric[c] ? cells[c].PadLeft(widths[c]) : last ? cells[c] : cells[c].PadRight(widths[c]));
        }

        writer.WriteLine();
    }

    private static bool IsNumber(string cell)
    {
        if (cell.Length == 0 || cell == "-")
        {
            return true;
        }

        // A sign only leads: "2025-01-06" is a date, not a number.
        for (var i = 0; i < cell.Length; i++)
        {
            var ch = cell[i];
            var sign = i == 0 && ch is ('-' or '+');
            if (!char.IsAsciiDigit(ch) && ch is not (',' or '.' or '%') && !sign)
            {
                return false;
            }
        }

        return true;
    }
}

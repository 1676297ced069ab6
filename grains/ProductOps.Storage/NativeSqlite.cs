using System.Runtime.InteropServices;

namespace ProductOps.Storage;

/// <summary>
/// The few SQLite calls a commit makes per event, taking a statement's native pointer. Through
/// SQLitePCLRaw each call passes the statement as a safe handle, and the marshalling adds and
/// releases a reference on every call: with ~20 calls per event, 2.3% of a saturated node's CPU.
/// A <see cref="PreparedStatement"/> keeps its safe handle alive until disposed, so the pointer
/// it hands out here stays valid.
/// </summary>
/// <remarks>The same native library SQLitePCLRaw's bundle loads ("e_sqlite3", resolved from the
/// application's native assets), so both work on one copy of SQLite and its connections.</remarks>
internal static class NativeSqlite
{
    /// <summary>The library SQLitePCLRaw's bundle loads (<see cref="SqliteDatabase"/> checks it did).</summary>
    public const string Library = "e_sqlite3";

    /// <summary>SQLITE_TRANSIENT: SQLite copies the bound text before the call returns.</summary>
    private const nint Transient = -1;

    /// <summary>SQLITE_STATIC: SQLite reads the bound text where it is, for as long as it stays bound.</summary>
    private const nint Static = 0;

    public static int BindInt64(nint statement, int index, long value) => sqlite3_bind_int64(statement, index, value);

    public static int BindDouble(nint statement, int index, double value) => sqlite3_bind_double(statement, index, value);

    public static int BindNull(nint statement, int index) => sqlite3_bind_null(statement, index);

    /// <summary>UTF-16 straight from the (pinned) string; SQLite converts and copies it.</summary>
    public static int BindText(nint statement, int index, string value)
    {
        ArgumentNullException.ThrowIfNull(value); // a null would bind SQL NULL, never meant here
        return sqlite3_bind_text16(statement, index, value, value.Length * sizeof(char), Transient);
    }

    /// <summary>UTF-8 that stays where it is until the parameter is bound again (<see cref="Utf8Row"/>):
    /// SQLite neither converts nor copies it.</summary>
    public static int BindUtf8(nint statement, int index, Utf8Text text) =>
        sqlite3_bind_text(statement, index, text.Start, text.Length, Static);

    public static int Step(nint statement) => sqlite3_step(statement);

    public static int Reset(nint statement) => sqlite3_reset(statement);

    public static long ColumnInt64(nint statement, int column) => sqlite3_column_int64(statement, column);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_bind_int64(nint statement, int index, long value);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_bind_double(nint statement, int index, double value);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_bind_null(nint statement, int index);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl, CharSet = CharSet.Unicode)]
    private static extern int sqlite3_bind_text16(nint statement, int index, [MarshalAs(UnmanagedType.LPWStr)] string value, int bytes, nint destructor);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_bind_text(nint statement, int index, nint text, int bytes, nint destructor);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_step(nint statement);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_reset(nint statement);

    [DllImport(Library, ExactSpelling = true, CallingConvention = CallingConvention.Cdecl)]
    private static extern long sqlite3_column_int64(nint statement, int column);
}

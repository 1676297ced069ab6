using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace ProductOps.Storage;

/// <summary>
/// The text of the rows a statement is about to insert, encoded as UTF-8 into one buffer that
/// never moves and bound without a copy. SQLite keeps text as UTF-8: bound as UTF-16, every text
/// column of every event was converted and copied into an allocation of SQLite's own.
/// </summary>
/// <remarks>A parameter bound from here points into the buffer until it is bound again, and the
/// next <see cref="Start"/> overwrites the buffer: so a statement bound from it binds every text
/// parameter of its rows before it steps, and is stepped for no other rows in between. The buffer is allocated on
/// the pinned heap, so a collection never moves it from under SQLite. Strings come from UTF-8
/// (the gateway refuses any that is not), so none holds a lone surrogate, which the encoder
/// would write as U+FFFD.</remarks>
internal sealed class Utf8Row
{
    private const int MaxBytesPerChar = 3; // a UTF-16 unit takes at most 3 bytes in UTF-8 (a surrogate pair, 4 for its 2)

    private byte[] _buffer;
    private nint _start;
    private int _used;

    // Allocated at once: an empty string must bind as empty text, and a null start would bind NULL.
    public Utf8Row() => Allocate(1024);

    /// <summary>Starts the rows of a statement, whose strings hold at most <paramref name="chars"/> UTF-16 units in all.</summary>
    public void Start(int chars)
    {
        var needed = checked(chars * MaxBytesPerChar);
        if (needed > _buffer.Length)
        {
            Allocate(Math.Max(needed, _buffer.Length * 2));
        }

        _used = 0;
    }

    /// <summary>Adds a string of the rows; valid until the next <see cref="Start"/>.</summary>
    public Utf8Text Add(string text)
    {
        var length = Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_used));
        var added = new Utf8Text(_start + _used, length);
        _used += length;
        return added;
    }

    [MemberNotNull(nameof(_buffer))]
    private void Allocate(int bytes)
    {
        _buffer = GC.AllocateUninitializedArray<byte>(bytes, pinned: true);
        _start = Marshal.UnsafeAddrOfPinnedArrayElement(_buffer, 0);
    }
}

/// <summary>UTF-8 bytes in memory that does not move: where they start, and how many.</summary>
internal readonly record struct Utf8Text(nint Start, int Length);

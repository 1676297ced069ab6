using System.Text;

namespace ProductOps.Domain;

/// <summary>A 64-bit FNV-1a hash of a string's UTF-8 bytes, identical in every process.</summary>
public static class StableHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static long Of(string text) => unchecked((long)Continue(Offset, text));

    /// <summary>The hash of a pair; the separator keeps ("ab", "c") and ("a", "bc") apart.</summary>
    public static ulong OfPair(string first, string second) => Continue(Separate(Continue(Offset, first)), second);

    /// <summary>Folds more text into a running hash.</summary>
    public static ulong Continue(ulong hash, string text)
    {
        // Ids are mostly ASCII, whose UTF-8 bytes are their chars: hashed in one pass, without
        // encoding them first (two passes and a copy, for every id of every event).
        var ascii = hash;
        foreach (var c in text)
        {
            if (c >= 0x80)
            {
                return ContinueUtf8(hash, text);
            }

            ascii = (ascii ^ c) * Prime;
        }

        return ascii;
    }

    public static ulong Start => Offset;

    public static ulong Separate(ulong hash) => (hash ^ 0x1F) * Prime;

    private static ulong ContinueUtf8(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(text) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(text, buffer)]
            : Encoding.UTF8.GetBytes(text);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }
}

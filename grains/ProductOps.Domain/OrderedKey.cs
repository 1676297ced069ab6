namespace ProductOps.Domain;

/// <summary>
/// Two ints in one long that sorts as the pair does, the first then the second, for sorted
/// arrays of plain keys: the second's sign bit is flipped, so its negative values come first.
/// </summary>
public static class OrderedKey
{
    /// <summary>What adding one to a key's first int adds to the key.</summary>
    public const long OneFirst = 1L << 32;

    public static long Of(int first, int second) => ((long)first << 32) | (uint)(second ^ int.MinValue);

    public static int FirstOf(long key) => (int)(key >> 32);

    public static int SecondOf(long key) => (int)(uint)key ^ int.MinValue;
}

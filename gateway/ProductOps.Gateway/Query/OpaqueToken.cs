using System.Text;

namespace ProductOps.Gateway.Query;

/// <summary>The form of the tokens this service hands out and takes back (page and resume tokens):
/// a version and fields joined by '|' (or bytes of a token's own form), base64url without padding,
/// opaque to callers.</summary>
public static class OpaqueToken
{
    public static string Encode(params string[] fields) => EncodeBytes(Encoding.UTF8.GetBytes(string.Join('|', fields)));

    /// <summary>The token's fields, at most <paramref name="count"/> (the last keeps any '|' of its
    /// own); null when the token is not base64url text.</summary>
    public static string[]? Decode(string token, int count) =>
        DecodeBytes(token) is { } bytes ? Encoding.UTF8.GetString(bytes).Split('|', count) : null;

    /// <summary>A token of bytes (a form of its own, for a token that would be long as text).</summary>
    public static string EncodeBytes(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The token's bytes; null when it is not base64url.</summary>
    public static byte[]? DecodeBytes(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '='));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

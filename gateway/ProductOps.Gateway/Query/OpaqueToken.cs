using System.Text;

namespace ProductOps.Gateway.Query;

/// <summary>The form of the tokens this service hands out and takes back (page and resume tokens):
/// a version and fields joined by '|', base64url without padding, opaque to callers.</summary>
public static class OpaqueToken
{
    public static string Encode(params string[] fields) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', fields)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The token's fields, at most <paramref name="count"/> (the last keeps any '|' of its
    /// own); null when the token is not base64url text.</summary>
    public static string[]? Decode(string token, int count)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            return text.Split('|', count);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

using System.Security.Cryptography;
using System.Text;

namespace ProductOps.Testing;

/// <summary>An API key's digest as operators write it into configuration (`sha256sum` of the key):
/// computed here on its own, not by the product's code under test.</summary>
public static class KeyDigest
{
    public static string Of(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}

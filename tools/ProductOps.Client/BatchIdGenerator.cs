using System.Globalization;
using System.Security.Cryptography;

namespace ProductOps.Client;

/// <summary>Batch ids unique across clients: a random per-client prefix and a counter.</summary>
internal sealed class BatchIdGenerator
{
    private readonly string _prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + "-";
    private long _last;

    public string Next() => _prefix + Interlocked.Increment(ref _last).ToString(CultureInfo.InvariantCulture);
}

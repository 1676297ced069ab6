using System.Buffers;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// A TrackRequest as received: its bytes, copied out of the transport's buffers into a pooled
/// array, for the intake to read in place (<see cref="TrackRequestReader"/>) once the call is
/// authorised. Disposed as soon as the intake has read it; one never disposed (a call refused
/// before its intake) only costs the pool an array.
/// </summary>
public sealed class TrackPayload : IDisposable
{
    // The gateway's own pool: it keeps at most 16 arrays of each size up to 1 MiB (the default
    // request limit), so oversized requests are never kept; arrays are cleared when returned,
    // so no tenant's events stay in memory shared with anything else.
    private static readonly ArrayPool<byte> Pool = ArrayPool<byte>.Create(maxArrayLength: 1024 * 1024, maxArraysPerBucket: 16);

    private readonly int _length;
    private byte[]? _bytes;

    private TrackPayload(byte[] bytes, int length)
    {
        _bytes = bytes;
        _length = length;
    }

    public ReadOnlySpan<byte> Span => (_bytes ?? throw new ObjectDisposedException(nameof(TrackPayload))).AsSpan(0, _length);

    public static TrackPayload CopyOf(in ReadOnlySequence<byte> bytes)
    {
        var length = checked((int)bytes.Length);
        var rented = Pool.Rent(length);
        bytes.CopyTo(rented);
        return new TrackPayload(rented, length);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _bytes, null) is { } bytes)
        {
            Pool.Return(bytes, clearArray: true);
        }
    }
}

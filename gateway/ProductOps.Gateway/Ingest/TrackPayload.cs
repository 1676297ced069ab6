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
        var rented = ArrayPool<byte>.Shared.Rent(length);
        bytes.CopyTo(rented);
        return new TrackPayload(rented, length);
    }

    public static TrackPayload CopyOf(ReadOnlySpan<byte> bytes)
    {
        var rented = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(rented);
        return new TrackPayload(rented, bytes.Length);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _bytes, null) is { } bytes)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}

using System.Buffers;

namespace ProductOps.Storage;

/// <summary>
/// A buffer writer over an array rented from the shared pool and given back on dispose: a state
/// is serialized into it and stored from it, with no new array per write (a state of 85 KB or
/// more, such as an at-risk index shard, would otherwise land on the large object heap each
/// time, and large allocations trigger the full collections that stall the node).
/// </summary>
internal sealed class RentedBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _written;

    public RentedBuffer(int initialBytes = 2048) => _array = ArrayPool<byte>.Shared.Rent(initialBytes);

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _array.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint); // first: it may replace the array
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _array.AsSpan(_written);
    }

    public void Dispose()
    {
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }

    /// <summary>Makes room for at least <paramref name="sizeHint"/> more bytes (at least one).</summary>
    private void Reserve(int sizeHint)
    {
        ObjectDisposedException.ThrowIf(_array.Length == 0, this);
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed > _array.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _array.Length * 2));
            WrittenSpan.CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }
    }
}

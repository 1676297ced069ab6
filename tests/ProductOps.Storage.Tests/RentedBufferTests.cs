namespace ProductOps.Storage.Tests;

public sealed class RentedBufferTests
{
    [Fact]
    public void Write_FarPastTheFirstArray_KeepsEveryByteInOrder()
    {
        using var buffer = new RentedBuffer(initialBytes: 16);
        var expected = new List<byte>();
        var random = new Random(7);
        for (var piece = 0; piece < 400; piece++)
        {
            var hint = random.Next(0, 700);
            var span = buffer.GetSpan(hint);
            Assert.True(span.Length >= Math.Max(hint, 1), $"asked for {hint}, got {span.Length}");
            var count = Math.Min(span.Length, random.Next(1, 700));
            for (var i = 0; i < count; i++)
            {
                span[i] = (byte)random.Next(256);
                expected.Add(span[i]);
            }

            buffer.Advance(count);
        }

        Assert.Equal(expected.ToArray(), buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void GetMemory_GrowsLikeGetSpan()
    {
        using var buffer = new RentedBuffer(initialBytes: 16);
        buffer.GetSpan(10)[..10].Fill(1);
        buffer.Advance(10);

        var memory = buffer.GetMemory(5_000);
        memory.Span[..5_000].Fill(2);
        buffer.Advance(5_000);

        Assert.Equal(5_010, buffer.WrittenSpan.Length);
        Assert.Equal([1, 2], [buffer.WrittenSpan[9], buffer.WrittenSpan[5_009]]);
    }

    [Fact]
    public void Advance_PastWhatWasGiven_Throws()
    {
        using var buffer = new RentedBuffer(initialBytes: 16);
        var given = buffer.GetSpan().Length;

        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(given + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(-1));
    }

    [Fact]
    public void GetSpan_AfterDispose_Throws()
    {
        var buffer = new RentedBuffer();
        buffer.Dispose();
        buffer.Dispose(); // twice is harmless

        Assert.Throws<ObjectDisposedException>(() => buffer.GetSpan());
    }
}

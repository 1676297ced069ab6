namespace ProductOps.Client.Tests;

public sealed class BatchIdGeneratorTests
{
    [Fact]
    public void Next_ConcurrentCallers_NeverRepeat()
    {
        var generator = new BatchIdGenerator();
        var ids = new string[8][];

        Parallel.For(0, ids.Length, t =>
        {
            ids[t] = new string[10_000];
            for (var i = 0; i < ids[t].Length; i++)
            {
                ids[t][i] = generator.Next();
            }
        });

        var all = ids.SelectMany(x => x).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Next_TwoClients_DoNotCollide()
    {
        var first = new BatchIdGenerator();
        var second = new BatchIdGenerator();

        var a = Enumerable.Range(0, 1_000).Select(_ => first.Next());
        var b = Enumerable.Range(0, 1_000).Select(_ => second.Next());

        Assert.Empty(a.Intersect(b, StringComparer.Ordinal));
    }
}

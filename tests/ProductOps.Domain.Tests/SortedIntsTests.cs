using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class SortedIntsTests
{
    [Fact]
    public void Add_OutOfOrderWithRepeats_KeepsSortedDistinctItems()
    {
        var set = default(SortedInts);

        var added = new List<bool>();
        foreach (var value in new[] { 5, -3, 9, 5, 0, -3 })
        {
            added.Add(set.Add(value));
        }

        Assert.Equal([true, true, true, false, true, false], added);
        Assert.Equal([-3, 0, 5, 9], set.Items.ToArray());
        Assert.Equal(4, set.Count);
    }

    [Theory]
    [InlineData(-5, null)]
    [InlineData(-2, null)]
    [InlineData(-1, -2)]
    [InlineData(7, -2)]
    [InlineData(8, 7)]
    [InlineData(100, 7)]
    public void Predecessor_Value_IsGreatestMemberBelow(int value, int? expected)
    {
        var set = SortedInts.Of([]);
        set.Add(7);
        set.Add(-2);

        Assert.Equal(expected, set.Predecessor(value));
    }

    [Theory]
    [InlineData(-5, -2)]
    [InlineData(-2, 7)]
    [InlineData(6, 7)]
    [InlineData(7, null)]
    [InlineData(100, null)]
    public void Successor_Value_IsLeastMemberAbove(int value, int? expected)
    {
        var set = SortedInts.Of([]);
        set.Add(7);
        set.Add(-2);

        Assert.Equal(expected, set.Successor(value));
    }

    [Fact]
    public void CountInRange_CountsInclusiveBoundsAndNothingForAnEmptyRange()
    {
        var set = SortedInts.Of([1, 4, 6, 9]);

        Assert.Equal(2, set.CountInRange(4, 8));
        Assert.Equal(4, set.CountInRange(int.MinValue, int.MaxValue));
        Assert.Equal(0, set.CountInRange(7, 8));
        Assert.Equal(0, set.CountInRange(9, 1));
    }

    [Fact]
    public void Contains_MembersAndNonMembers_Distinguished()
    {
        var set = SortedInts.Of([]);
        set.Add(3);

        Assert.True(set.Contains(3));
        Assert.False(set.Contains(2));
        Assert.Equal(0, default(SortedInts).CountInRange(int.MinValue, int.MaxValue));
        Assert.Equal([3], set.Trimmed());
    }
}

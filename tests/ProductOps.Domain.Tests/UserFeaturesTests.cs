using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>
/// <see cref="UserFeatures"/> keeps every feature's hours in one set keyed by the feature's place,
/// so a feature added in the middle moves the keys of those after it: each test checks every
/// feature's hours against a model of one sorted set per feature.
/// </summary>
public sealed class UserFeaturesTests
{
    [Fact]
    public void Insert_InTheMiddle_KeepsEveryFeaturesHoursAndTheNamesInOrder()
    {
        var features = default(UserFeatures);
        var model = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);

        Use(ref features, model, "search", 10, -5, 7);
        Use(ref features, model, "zoom", 3, int.MaxValue);
        Use(ref features, model, "export", int.MinValue, 0, 10);
        Use(ref features, model, "m", 2);
        Use(ref features, model, "a", 1);

        AssertSame(features, model);
        Assert.Equal(["a", "export", "m", "search", "zoom"], features.Names.ToArray());
    }

    [Fact]
    public void Neighbours_StayWithinTheFeature()
    {
        var features = default(UserFeatures);
        var model = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        Use(ref features, model, "a", 100, 200);
        Use(ref features, model, "b", 150);
        Use(ref features, model, "c", 50, 300);

        var b = features.IndexOf("b");
        Assert.Null(features.HourBefore(b, 150));
        Assert.Null(features.HourAfter(b, 150));
        Assert.Equal(100, features.HourBefore(features.IndexOf("a"), 150));
        Assert.Equal(300, features.HourAfter(features.IndexOf("c"), 50));
        Assert.False(features.AnyHourIn(b, 151, int.MaxValue));
        Assert.False(features.AnyHourIn(b, int.MinValue, 149));
        Assert.True(features.AnyHourIn(b, 150, 150));
        Assert.False(features.AnyHourIn(features.IndexOf("a"), 101, 199));
    }

    [Fact]
    public void AddHour_Again_IsFalseAndChangesNothing()
    {
        var features = default(UserFeatures);
        features.Insert(0, "search", new FeatureUse { Count = 1, FirstUseMs = 5, LastUseMs = 5 });

        Assert.True(features.AddHour(0, 12));
        Assert.False(features.AddHour(0, 12));
        Assert.Equal([12], features.HoursOf(0));
    }

    [Fact]
    public void Records_RoundTrip_SameFeatures()
    {
        var features = default(UserFeatures);
        var model = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        Use(ref features, model, "search", 10, 11, 500);
        Use(ref features, model, "export", -3);
        Use(ref features, model, "idle");
        features.UseAt(features.IndexOf("search")) = new FeatureUse { Count = 3, FirstUseMs = 36_000_000, LastUseMs = 1_800_000_000 };

        var read = UserFeatures.Of(features.ToRecords());

        AssertSame(read, model);
        Assert.Equal(features.Uses.ToArray(), read.Uses.ToArray());
        Assert.Empty(read.HoursOf(read.IndexOf("idle")));
    }

    [Fact]
    public void RandomUse_MatchesOneSetPerFeature()
    {
        var random = new Random(17);
        var features = default(UserFeatures);
        var model = new SortedDictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        for (var step = 0; step < 5_000; step++)
        {
            var name = "f" + random.Next(60);
            var hour = random.Next(-200, 200) * (random.Next(10) == 0 ? 10_000_000 : 1);
            Use(ref features, model, name, hour);
            if (step % 250 == 0)
            {
                AssertSame(features, model);
                AssertSame(UserFeatures.Of(features.ToRecords()), model);
            }
        }

        AssertSame(features, model);
        foreach (var (name, hours) in model)
        {
            var index = features.IndexOf(name);
            for (var probe = 0; probe < 50; probe++)
            {
                var low = random.Next(-300, 300);
                var high = low + random.Next(0, 40);
                Assert.Equal(hours.GetViewBetween(low, high).Count > 0, features.AnyHourIn(index, low, high));
                Assert.Equal(hours.Where(h => h < low).Select(h => (int?)h).LastOrDefault(), features.HourBefore(index, low));
                Assert.Equal(hours.Where(h => h > high).Select(h => (int?)h).FirstOrDefault(), features.HourAfter(index, high));
                Assert.Equal(hours.Contains(low), features.HasHour(index, low));
            }
        }
    }

    private static void Use(ref UserFeatures features, SortedDictionary<string, SortedSet<int>> model, string name, params int[] hours)
    {
        var index = features.IndexOf(name);
        if (index < 0)
        {
            index = ~index;
            features.Insert(index, name, default);
            model[name] = [];
        }

        foreach (var hour in hours)
        {
            Assert.Equal(model[name].Add(hour), features.AddHour(index, hour));
        }
    }

    private static void AssertSame(in UserFeatures features, SortedDictionary<string, SortedSet<int>> model)
    {
        Assert.Equal(model.Keys, features.Names.ToArray());
        Assert.Equal(model.Count, features.Count);
        foreach (var (name, hours) in model)
        {
            Assert.Equal(hours, features.HoursOf(features.IndexOf(name)));
        }
    }
}

using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

/// <summary>Traits are last-writer-wins by event time, whatever the order of arrival.</summary>
public sealed class TraitTests
{
    [Fact]
    public void Traits_OlderValueArrivesLast_NewerEventTimeWins() =>
        AssertTraits(
            [("plan", "pro")],
            Events.Identify("u", 200, ("plan", "pro")),
            Events.Identify("u", 100, ("plan", "free")));

    [Fact]
    public void Traits_SameEventTime_LaterInLogWins() =>
        AssertTraits(
            [("plan", "team")],
            Events.Identify("u", 100, ("plan", "pro")),
            Events.Identify("u", 100, ("plan", "team")));

    [Fact]
    public void Traits_KeysSetAtDifferentTimes_EachKeepsItsOwnWinner() =>
        AssertTraits(
            [("country", "de"), ("plan", "pro")],
            Events.Identify("u", 300, ("plan", "pro")),
            Events.Identify("u", 100, ("plan", "free"), ("country", "de")));

    [Fact]
    public void Traits_EmptyValueIsNewest_KeyOmittedEvenIfOlderValueArrivesLater() =>
        AssertTraits(
            [("country", "fr")],
            Events.Identify("u", 100, ("plan", "pro"), ("country", "fr")),
            Events.Identify("u", 300, ("plan", string.Empty)),
            Events.Identify("u", 200, ("plan", "team")));

    [Fact]
    public void Traits_UsageEvents_AreNotTraitsAndIdentifyIsNotUsage()
    {
        var log = new[]
        {
            Events.Identify("u", Events.At(0), ("plan", "pro")),
            Events.Usage("u", Events.At(1), feature: "search", value: 2),
        };

        var live = LiveReplay.Run(log, TenantRules.Default).Users["u"].Snapshot("u", Events.At(1), TenantRules.Default);
        var oracle = ReplayOracle.Replay(log, TenantRules.Default).User("u", Events.At(1));

        foreach (var snapshot in new[] { live, oracle })
        {
            Assert.Equal(1, snapshot.EventCount);
            Assert.Equal(Events.At(1), snapshot.FirstSeenMs);
            Assert.Equal("pro", snapshot.Traits["plan"]);
        }
    }

    private static void AssertTraits((string Key, string Value)[] expected, params TrackedEvent[] log)
    {
        var live = LiveReplay.Run(log, TenantRules.Default).Users["u"].Snapshot("u", 1_000, TenantRules.Default);
        var oracle = ReplayOracle.Replay(log, TenantRules.Default).User("u", 1_000);

        Assert.Equal(expected, live.Traits.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value)));
        Assert.Equal(expected, oracle.Traits.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => (t.Key, t.Value)));
    }
}

using ProductOps.Domain;

namespace ProductOps.Churn.Tests;

/// <summary>Traits as churn features: which traits get a slot, how a user's traits fill them,
/// train/serve parity with traits, and the slots travelling with the stored model.</summary>
[Collection(SimulatedChurnCollection.Name)]
public sealed class TraitFeaturesTests(SimulatedChurnFixture fixture)
{
    [Fact]
    public void Encode_UserWithSomeSlotTraits_OneHot()
    {
        var slots = new TraitSlots([new TraitSlot("plan", "pro"), new TraitSlot("plan", "free"), new TraitSlot("country", "DE")]);
        var traits = new Dictionary<string, TraitValue> { ["plan"] = new("pro", 1), ["country"] = new("FR", 1) };
        var encoded = new float[TraitSlots.Capacity];

        slots.Encode(traits, encoded);

        Assert.Equal([1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], encoded);
        Assert.Equal("plan is pro", slots.Describe(0, 1f));
        Assert.Equal("plan is not free", slots.Describe(1, 0f));
    }

    [Fact]
    public void Choose_MixedKeys_KeepsCategoriesHeldBySomeButNotAll()
    {
        var examples = Enumerable.Range(0, 1_000).Select(i => Example(new Dictionary<string, TraitValue>
        {
            ["plan"] = new(i % 10 < 6 ? "free" : i % 10 < 9 ? "pro" : "enterprise", 0),
            ["email"] = new($"user{i}@example.com", 0), // an identifier: too many values
            ["beta"] = new("yes", 0),                    // everybody: tells nothing
            ["segment"] = new(i < 5 ? "vip" : "regular", 0), // vip is too rare, regular too common
            ["nickname"] = new(string.Empty, 0),         // unset
        })).ToList();

        var chosen = TraitSlotChooser.Choose(examples).Slots;

        Assert.Equal([new TraitSlot("plan", "free"), new TraitSlot("plan", "pro"), new TraitSlot("plan", "enterprise")], chosen);
    }

    /// <summary>Which traits become features is learnt like the rest of the model, from the
    /// training rows only: a trait first set in the holdout's period tells the trees nothing, and
    /// chosen over the holdout's rows it would be picked by the examples the model is judged on.</summary>
    [Fact]
    public void Train_TraitSetOnlyInTheHoldoutsPeriod_GetsNoSlot()
    {
        const int day0 = 20_000;
        var users = Enumerable.Range(0, 200).Select(i =>
        {
            var events = new List<TrackedEvent>
            {
                Identify(i, TimeBuckets.DayStartMs(day0 + 1), "plan", i % 2 == 0 ? "free" : "pro"),
                Identify(i, TimeBuckets.DayStartMs(day0 + 40), "beta", i % 2 == 0 ? "yes" : string.Empty),
            };
            var stopDay = i % 5 < 2 ? 16 + (i * 7 % 44) : 60; // two in five leave, at days 16-59
            for (var d = 0; d < stopDay; d++)
            {
                events.Add(new TrackedEvent("t", $"u{i}", $"e{i}-{d}", EventNames.SessionStart, "search", TimeBuckets.DayStartMs(day0 + d) + 43_200_000, 0, $"s{i}-{d}", null));
            }

            return new UserHistory($"u{i}", events);
        }).ToList();
        var set = TrainingSetBuilder.Build(users, SimulatedChurnFixture.Rules, new TrainingSetOptions());

        var result = ChurnTrainer.Train(set, new ChurnTrainingOptions { MinChurned = 1, MinRetained = 1, NumberOfTrees = 5, MinimumExampleCountPerLeaf = 5 });

        var slots = ChurnScorer.Load(result.ModelBytes).Traits.Slots;
        Assert.Contains(set.Examples, e => e.CutoffMs >= result.ValidationFromMs && e.Traits.TryGetValue("beta", out var beta) && beta.Value == "yes");
        Assert.DoesNotContain(set.Examples, e => e.CutoffMs < result.ValidationFromMs && e.Traits.ContainsKey("beta"));
        Assert.Equal([new TraitSlot("plan", "free"), new TraitSlot("plan", "pro")], slots);
        Assert.Equal("plan=free,plan=pro", result.Parameters["traits"]);
    }

    [Fact]
    public void Package_RoundTrip_KeepsModelAndSlots_AndReadsPlainModels()
    {
        var slots = new TraitSlots([new TraitSlot("plan", "pro")]);
        byte[] model = [1, 2, 3, 4];

        var (read, readSlots) = ChurnModelPackage.Read(ChurnModelPackage.Write(model, slots));
        var (plain, plainSlots) = ChurnModelPackage.Read(model);

        Assert.Equal(model, read);
        Assert.Equal(slots.Slots, readSlots.Slots);
        Assert.Equal(model, plain);
        Assert.Empty(plainSlots.Slots);
    }

    [Fact]
    public void TrainedModel_SimulatedTraits_SlotsForPlanAndCountryServedWithTheModel()
    {
        var slots = ChurnScorer.Load(fixture.Result.ModelBytes).Traits.Slots;

        Assert.Contains(new TraitSlot("plan", "free"), slots);
        Assert.DoesNotContain(slots, s => s.Key == "signup_date"); // a date per user is no category
        Assert.Equal(string.Join(',', slots.Select(s => $"{s.Key}={s.Value}")), fixture.Result.Parameters["traits"]);
        Assert.Contains("plan=", fixture.Result.Parameters["traits"], StringComparison.Ordinal);
    }

    [Fact]
    public void FeaturesOf_LiveStateAndBuilderState_EqualWithTraits()
    {
        // Train/serve parity for traits: the live grain's state at a cutoff, encoded with the
        // model's slots, equals the training builder's example for that cutoff.
        var scorer = ChurnScorer.Load(fixture.Result.ModelBytes);
        var rules = SimulatedChurnFixture.Rules;
        var cutoffs = fixture.Set.CutoffsMs.Where((_, i) => i % 10 == 0).ToList();
        var compared = 0;
        var withTraits = 0;
        foreach (var user in fixture.Histories.Take(150))
        {
            var built = TrainingSetBuilder.StatesAt(user, cutoffs, rules);
            for (var c = 0; c < cutoffs.Count; c++)
            {
                var live = LiveUserState.Before(user, cutoffs[c], rules);

                if (live.FirstSeenMs is null)
                {
                    Assert.Null(built[c]);
                    continue;
                }

                var served = scorer.FeaturesOf(live, cutoffs[c]);
                Assert.Equal(scorer.FeaturesOf(built[c]!), served);
                withTraits += served.Skip(ChurnFeatures.BehaviourCount).Any(v => v > 0) ? 1 : 0;
                compared++;
            }
        }

        Assert.True(compared > 300, $"only {compared} comparisons");
        Assert.True(withTraits > compared / 2, $"only {withTraits} of {compared} vectors had a trait slot set");
    }

    private static TrackedEvent Identify(int user, long timestampMs, string key, string value) =>
        new("t", $"u{user}", $"i{user}-{key}", EventNames.Identify, string.Empty, timestampMs, 0, string.Empty, new Dictionary<string, string> { [key] = value });

    private static ChurnExample Example(Dictionary<string, TraitValue> traits) =>
        new("u", 0, new float[ChurnFeatures.Count], Churned: false, traits);
}

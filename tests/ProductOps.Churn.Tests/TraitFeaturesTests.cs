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
        var slots = fixture.Set.Traits.Slots;
        var scorer = ChurnScorer.Load(fixture.Result.ModelBytes);

        Assert.Contains(new TraitSlot("plan", "free"), slots);
        Assert.DoesNotContain(slots, s => s.Key == "signup_date"); // a date per user is no category
        Assert.Equal(slots, scorer.Traits.Slots);
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

    private static ChurnExample Example(Dictionary<string, TraitValue> traits) =>
        new("u", 0, new float[ChurnFeatures.Count], Churned: false, traits);
}

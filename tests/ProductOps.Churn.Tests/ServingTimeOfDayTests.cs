using System.Globalization;
using ProductOps.Domain;
using Xunit.Abstractions;

namespace ProductOps.Churn.Tests;

/// <summary>
/// Training computes features at UTC midnights; live scoring runs at any time of day, when the
/// windows' latest day is the partial current one. The same events scored a minute after a
/// midnight instead of at it move many probabilities; what matters is whether scores served at
/// any time of day, from the events up to then, predict the churn that follows as well as the
/// holdout at midnight says.
/// </summary>
[Collection(SimulatedChurnCollection.Name)]
public sealed class ServingTimeOfDayTests(SimulatedChurnFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(18 * 60)]
    public void Score_MinutesAfterTheHoldoutsMidnights_AsAccurateAsAtMidnight(int minutesAfterMidnight)
    {
        var scorer = ChurnScorer.Load(fixture.Result.ModelBytes);
        var rules = SimulatedChurnFixture.Rules;
        var horizonMs = rules.ChurnHorizonDays * TimeBuckets.MsPerDay;
        var offsetMs = minutesAfterMidnight * 60_000L;
        var midnight = new List<float>();
        var served = new List<float>();
        var labels = new List<bool>();
        var moved = 0;
        foreach (var user in fixture.Histories)
        {
            var ordered = user.Events.Select((e, i) => (e, i)).OrderBy(x => x.e.TimestampMs).ThenBy(x => x.i).Select(x => x.e).ToList();
            var usage = ordered.Where(e => !e.IsIdentify && !rules.IsChurnEvent(e.Name)).Select(e => e.TimestampMs).ToList();
            var churnEvents = ordered.Where(e => !e.IsIdentify && rules.IsChurnEvent(e.Name)).Select(e => e.TimestampMs).ToList();
            foreach (var cutoff in fixture.Set.CutoffsMs.Where(c => c >= fixture.Result.ValidationFromMs))
            {
                var asOf = cutoff + offsetMs;
                var atCutoff = StateBefore(ordered, cutoff, rules);
                var atAsOf = StateBefore(ordered, asOf, rules);
                if (asOf + horizonMs > fixture.Set.DataToMs || atAsOf.CancelledAtMs is not null || atCutoff.FirstSeenMs is null)
                {
                    continue; // past the data, not scored when served (cancelled), or no user at the cutoff
                }

                var p = scorer.Probability(scorer.FeaturesOf(atCutoff, cutoff));
                midnight.Add(p);
                served.Add(scorer.Probability(scorer.FeaturesOf(atAsOf, asOf)));
                labels.Add(churnEvents.Any(t => t >= asOf && t < asOf + horizonMs) || !usage.Any(t => t >= asOf && t < asOf + horizonMs));
                moved += Math.Abs(scorer.Probability(scorer.FeaturesOf(atCutoff, asOf)) - p) > 0.01 ? 1 : 0;
            }
        }

        var atMidnight = fixture.Result.Model;
        var live = ChurnMetrics.Compute(served, labels);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{labels.Count} examples; the same events {minutesAfterMidnight} min after midnight move {moved / (double)labels.Count:P1} of probabilities by over 0.01"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"midnight holdout: AUC {atMidnight.Auc:0.000}, log-loss {atMidnight.LogLoss:0.000}, Brier {atMidnight.Brier:0.0000}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"served then:      AUC {live.Auc:0.000}, log-loss {live.LogLoss:0.000}, Brier {live.Brier:0.0000}; mean probability {served.Average():0.000} (at midnight {midnight.Average():0.000}), observed {live.Positives / (double)live.Examples:0.000}"));

        Assert.True(live.Auc >= atMidnight.Auc - 0.01, $"AUC {live.Auc:0.000} served vs {atMidnight.Auc:0.000} at midnight");
        Assert.True(live.LogLoss <= atMidnight.LogLoss + 0.01, $"log-loss {live.LogLoss:0.000} served vs {atMidnight.LogLoss:0.000} at midnight");
        Assert.True(live.Brier <= atMidnight.Brier + 0.003, $"Brier {live.Brier:0.0000} served vs {atMidnight.Brier:0.0000} at midnight");
    }

    private static UserActivity StateBefore(List<TrackedEvent> ordered, long beforeMs, TenantRules rules)
    {
        var activity = new UserActivity();
        var scratch = new List<CounterDelta>();
        foreach (var e in ordered.TakeWhile(e => e.TimestampMs < beforeMs))
        {
            scratch.Clear();
            activity.Apply(e, rules, scratch);
        }

        return activity;
    }
}

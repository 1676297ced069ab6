using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ProductOps.Churn;
using ProductOps.Churn.Benchmarks;
using ProductOps.Domain;
using ProductOps.Simulator;

int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
var users = Arg(0, 10_000);
var days = Arg(1, 98);
var seed = Arg(2, 20_260_101);
var horizon = Arg(3, 14);
var rules = new TenantRules(TenantClock.Event, horizon, [SimulatedEventNames.SubscriptionCancelled]);
var simulation = new ProductSimulation(new ProductSimulationOptions { Seed = seed, Users = users, Days = days });

var watch = Stopwatch.StartNew();
var histories = Histories.Of(simulation);
Report.Line($"simulated {users} users x {days} days (seed {seed}, churn horizon {horizon} days): {histories.Sum(h => h.Events.Count)} events in {watch.Elapsed.TotalSeconds:0.0} s");

watch.Restart();
var set = TrainingSetBuilder.Build(histories, rules, new TrainingSetOptions());
var buildTime = watch.Elapsed;
watch.Restart();
var result = ChurnTrainer.Train(set, new ChurnTrainingOptions());
Report.Line($"training set: {set.Examples.Count} examples over {set.CutoffsMs.Count} cutoffs in {buildTime.TotalSeconds:0.0} s; train + validate {watch.Elapsed.TotalSeconds:0.0} s");
Report.Metrics("model   ", result.Model);
Report.Metrics("baseline", result.Baseline);

// Scoring cost: the live path (features + pooled single prediction).
var scorer = ChurnScorer.Load(result.ModelBytes);
var asOf = simulation.EndTime.ToUnixTimeMilliseconds();
var states = new List<UserActivity>(histories.Count);
foreach (var history in histories)
{
    var activity = new UserActivity();
    var deltas = new List<CounterDelta>();
    foreach (var e in history.Events)
    {
        deltas.Clear();
        activity.Apply(e, rules, deltas);
    }

    states.Add(activity);
}

var features = states.Select(s => ChurnFeatures.Compute(s, asOf)).ToList();
for (var i = 0; i < 2_000; i++)
{
    scorer.Score(features[i % features.Count]); // warm up
    scorer.Probability(features[i % features.Count]);
}

watch.Restart();
const int Rounds = 5;
for (var r = 0; r < Rounds; r++)
{
    foreach (var s in states)
    {
        ChurnFeatures.Compute(s, asOf);
    }
}

Report.Line($"features: {watch.Elapsed.TotalMicroseconds / (Rounds * states.Count):0.00} us per user");
watch.Restart();
for (var r = 0; r < Rounds; r++)
{
    foreach (var f in features)
    {
        scorer.Score(f);
    }
}

Report.Line($"score (pooled engine, with reasons): {watch.Elapsed.TotalMicroseconds / (Rounds * features.Count):0.00} us per user");
watch.Restart();
for (var r = 0; r < Rounds; r++)
{
    foreach (var f in features)
    {
        scorer.Probability(f);
    }
}

Report.Line($"probability only (pooled engine): {watch.Elapsed.TotalMicroseconds / (Rounds * features.Count):0.00} us per user");

// Per-user state size as the grain stores it (Orleans serializer), with and without the churn additions.
var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
var whole = states.Select(s => serializer.SerializeToArray(s).Length).Order().ToArray();
var recent = states.Select(s => serializer.SerializeToArray(StoredRecentActivity.Of(s.Recent)).Length).Order().ToArray();
Report.Line($"user state serialized: median {whole[whole.Length / 2]} B, p99 {whole[whole.Length * 99 / 100]} B; of which recent-day counts median {recent[recent.Length / 2]} B, p99 {recent[recent.Length * 99 / 100]} B");

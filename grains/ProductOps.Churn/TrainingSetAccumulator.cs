using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>
/// Collects training examples user by user at fixed cutoffs, so a caller can feed users in
/// batches (e.g. one log partition at a time) and drop each batch's events once its examples are
/// taken: only the examples stay in memory, never the whole history.
/// </summary>
public sealed class TrainingSetAccumulator(IReadOnlyList<long> cutoffsMs, TenantRules rules)
{
    private readonly List<ChurnExample> _examples = [];

    public IReadOnlyList<long> CutoffsMs { get; } = cutoffsMs ?? throw new ArgumentNullException(nameof(cutoffsMs));

    public int Count => _examples.Count;

    public int Churned { get; private set; }

    /// <summary>Adds the user's examples at every cutoff.</summary>
    public void Add(UserHistory user)
    {
        var before = _examples.Count;
        TrainingSetBuilder.AddExamples(user, CutoffsMs, rules, _examples);
        for (var i = before; i < _examples.Count; i++)
        {
            Churned += _examples[i].Churned ? 1 : 0;
        }
    }

    /// <summary>The examples in cutoff order, then user id order (one example per user and cutoff),
    /// with the range of event time they came from. Their trait slots are left 0: the trainer
    /// chooses which traits fill them, from its training rows (<see cref="ChurnTrainer"/>).</summary>
    public TrainingSet ToSet(long dataFromMs, long dataToMs)
    {
        // A total order: users arrive in whatever order the log's partitions hand them back, and
        // the same log must give the same set (List.Sort is not stable either).
        var examples = _examples.ToList();
        examples.Sort((a, b) => a.CutoffMs != b.CutoffMs ? a.CutoffMs.CompareTo(b.CutoffMs) : string.CompareOrdinal(a.UserId, b.UserId));
        return new TrainingSet(examples, CutoffsMs, dataFromMs, dataToMs, rules.ChurnHorizonDays);
    }
}

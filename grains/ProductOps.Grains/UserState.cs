using System.Diagnostics.CodeAnalysis;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

[GenerateSerializer, Alias("productops.user-state")]
public sealed class UserState
{
    [Id(0)] public UserActivity Activity { get; init; } = new();

    /// <summary>The seq of the last event applied (a user lives in exactly one partition).</summary>
    [Id(1)] public long Watermark { get; set; }

    /// <summary>Deltas kept by seq, as snapshots written before <see cref="RecentRuns"/> hold
    /// them; <see cref="UpgradeKeptDeltas"/> moves them into a run on activation.</summary>
    [Id(2)] public Dictionary<long, CounterDelta[]>? RecentDeltas { get; set; }

    /// <summary>The deltas of events after the partition's last checkpoint, one run per apply call
    /// in seq order, so a re-dispatch gets the very answer the first dispatch got.</summary>
    [Id(3)] public List<AppliedDeltas> RecentRuns { get; init; } = [];

    /// <summary>0 in snapshots whose kept deltas also hold the events' own counts, which the
    /// partition now adds itself (<see cref="EventCounters"/>); 1 once they hold only the user's.</summary>
    [Id(4)] public int KeptDeltasFormat { get; set; }

    /// <summary>Drops the runs wholly at or below <paramref name="checkpoint"/>: never asked for again.</summary>
    public void DropRunsThrough(long checkpoint)
    {
        var stale = 0;
        while (stale < RecentRuns.Count && RecentRuns[stale].LastSeq <= checkpoint)
        {
            stale++;
        }

        RecentRuns.RemoveRange(0, stale);
    }

    /// <summary>Finds the kept deltas of <paramref name="seq"/>. Re-sends are rare and runs few,
    /// so a plain search.</summary>
    public bool TryFindDeltas(long seq, [NotNullWhen(true)] out AppliedDeltas? run, out int index)
    {
        foreach (var candidate in RecentRuns)
        {
            if (seq <= candidate.LastSeq && candidate.IndexOf(seq) is var found and >= 0)
            {
                (run, index) = (candidate, found);
                return true;
            }
        }

        (run, index) = (null, -1);
        return false;
    }

    /// <summary>Brings deltas kept by an older snapshot to today's form, before any newer run: deltas
    /// kept by seq become one run, and the events' own counts leave every run (the partition adds
    /// them again on a re-dispatch; kept, they would count twice).</summary>
    public void UpgradeKeptDeltas()
    {
        if (RecentDeltas is { Count: > 0 })
        {
            var builder = AppliedDeltasBuilder.Start();
            foreach (var seq in RecentDeltas.Keys.Order())
            {
                builder.Add(seq, RecentDeltas[seq]);
            }

            RecentRuns.Insert(0, builder.Build());
        }

        RecentDeltas = null; // one empty table less per user
        if (KeptDeltasFormat == 0)
        {
            for (var i = 0; i < RecentRuns.Count; i++)
            {
                RecentRuns[i] = WithoutOwnCounts(RecentRuns[i]);
            }

            KeptDeltasFormat = 1;
        }
    }

    private static AppliedDeltas WithoutOwnCounts(AppliedDeltas run)
    {
        var builder = AppliedDeltasBuilder.Start();
        for (var i = 0; i < run.Seqs.Length; i++)
        {
            foreach (var delta in run.Of(i))
            {
                if (!EventCounters.IsOwn(delta.Metric))
                {
                    builder.Deltas.Add(delta);
                }
            }

            builder.EndEvent(run.Seqs[i]);
        }

        return builder.Build();
    }
}

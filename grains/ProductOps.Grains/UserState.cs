using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>A user's stored snapshot. The grain holds the parts while active, and this only to
/// read or write them: two objects less for each of a node's users.</summary>
[GenerateSerializer, Alias("productops.user-state")]
public sealed class UserState
{
    [Id(0)] public UserActivity Activity { get; init; } = new();

    /// <summary>The seq of the last event applied (a user lives in exactly one partition).</summary>
    [Id(1)] public long Watermark { get; set; }

    /// <summary>Deltas kept by seq, as snapshots written before <see cref="StoredRuns"/> hold
    /// them; <see cref="UpgradeKeptDeltas"/> moves them into a run on activation.</summary>
    [Id(2)] public Dictionary<long, CounterDelta[]>? RecentDeltas { get; set; }

    [NonSerialized] private KeptDeltas _kept = new();

    /// <summary>The deltas of events after the partition's last checkpoint (in the silo's journal
    /// of the partition once the grain has attached them).</summary>
    internal ref KeptDeltas Kept => ref _kept;

    /// <summary>The snapshot of an active user's parts, to be written.</summary>
    internal static UserState Of(UserActivity activity, long watermark, KeptDeltas kept) =>
        new() { Activity = activity, Watermark = watermark, KeptDeltasFormat = 1, _kept = kept };

    /// <summary>The stored form of <see cref="Kept"/>: one run (older snapshots may hold several,
    /// one per apply call, which may repeat re-sent events).</summary>
    [Id(3)]
    internal List<AppliedDeltas> StoredRuns
    {
        get => Kept.ToRun() is { Seqs.Length: > 0 } run ? [run] : [];
        set
        {
            foreach (var run in value)
            {
                Kept.AddNew(run);
            }
        }
    }

    /// <summary>0 in snapshots whose kept deltas also hold the events' own counts, which the
    /// partition now adds itself (<see cref="EventCounters"/>); 1 once they hold only the user's.</summary>
    [Id(4)] public int KeptDeltasFormat { get; set; }

    /// <summary>Brings deltas kept by an older snapshot to today's form, before any newer run: deltas
    /// kept by seq become one run, and the events' own counts leave every run (the partition adds
    /// them again on a re-dispatch; kept, they would count twice).</summary>
    public void UpgradeKeptDeltas()
    {
        var legacy = RecentDeltas is { Count: > 0 };
        if (legacy || (KeptDeltasFormat == 0 && Kept.Count > 0))
        {
            var runs = new List<AppliedDeltas>();
            if (legacy)
            {
                var builder = AppliedDeltasBuilder.Start();
                foreach (var seq in RecentDeltas!.Keys.Order())
                {
                    builder.Add(seq, RecentDeltas[seq]);
                }

                runs.Add(builder.Build());
            }

            if (Kept.Count > 0)
            {
                runs.Add(Kept.ToRun());
            }

            Kept.Clear();
            foreach (var run in runs)
            {
                Kept.AddNew(KeptDeltasFormat == 0 ? WithoutOwnCounts(run) : run);
            }
        }

        RecentDeltas = null; // one empty table less per user
        KeptDeltasFormat = 1;
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

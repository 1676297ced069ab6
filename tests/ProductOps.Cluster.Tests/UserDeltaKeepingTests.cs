using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ProductOps.Domain;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>A user grain answers a re-dispatch with the deltas it first returned, from state it
/// wrote itself and from snapshots written before it kept deltas per apply call (less the events'
/// own counts, which the partition adds since). A cluster of its own: the checkpoints these
/// tests send by hand drop the deltas of every user of the partition on the silo, which the
/// shared cluster's partitions may still ask for.</summary>
public sealed class UserDeltaKeepingTests(ClusterFixture fixture) : IClassFixture<ClusterFixture>
{
    private const string Tenant = "delta-keeping"; // its own tenant: the shared log's stays the oracle's

    /// <summary>A <see cref="UserState"/> as the Orleans serializer wrote it when deltas were kept
    /// by seq (2574ee8): watermark 12; seq 7 kept (search, FeatureTotalEvents, 0, +1) and (tenant,
    /// TenantDayEvents, 20400, +1); seq 12 kept (export, FeatureHourValueSum, 489612, +2.5).</summary>
    private const string SnapshotKeptBySeq =
        "ICDAAcEBAQGBAAAAAAAAAAAhIODgIeAhMAExLNQuHVN0cmluZ0NvbXBhcmVyAAMBAeDgITgDAAMBAeDgwQHBASEg4CHgIeAh4CHgIeAh4ODgATEhAQUBHSAABSHoQA1zZWFyY2gJFRcBAYEAAAAAAADwP+Ag6EABCRUpAQT7BIEAAAAAAADwP+DgADEgAAMh6EANZXhwb3J0CRUFAcSId4EAAAAAAAAEQODg4OA=";

    /// <summary>A <see cref="UserState"/> as the Orleans serializer wrote it when deltas were kept
    /// as one run per apply call (3d29179): watermark 12; runs [3, 5] (3: a new user and a new day;
    /// 5: a new hour of search), [5, 8] (5 re-sent, with the same deltas; 8: none) and [12] (a new
    /// day).</summary>
    private const string SnapshotKeptInRuns =
        "ICDAAcEBAQGBAAAAAAAAAAAhwAEh4ODBAcEBwQHBAcEBIcABwQHBAcEBwQHBAcEBIeDgIeAh4OABMcEBIQAHIeggAAUBDQAV4CEABQEJAA3gIQAHIehAAQkVMwEBgQAAAAAAAPA/AQHgIOjAVQkVKwEE+wSBAAAAAAAA8D8BAeAg6EANc2VhcmNoCRUHAQSId4EAAAAAAADwPwEB4ODgIOggAAUBFQAh4CEABQEFAAXgIQADIejAbQkVBwEEiHeBAAAAAAAA8D8BAeDg4CDoIAADATHgIQADAQXgIQADIejAVQkVKwEU+wSBAAAAAAAA8D8BAeDg4OABBeA=";

    [Fact]
    public async Task Apply_ResentAfterSnapshotKeptInRuns_ReturnsTheDeltasFirstKept()
    {
        var user = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, "runs-snapshot"));
        await StoreStateAsync(user, Convert.FromBase64String(SnapshotKeptInRuns));

        var resent = await user.Apply(new UserApplyRequest(
            [Event("runs-snapshot", 5), Event("runs-snapshot", 8), Event("runs-snapshot", 12, day: 1)], Checkpoint: 3));
        var next = await user.Apply(new UserApplyRequest([Event("runs-snapshot", 12, day: 1), Event("runs-snapshot", 13, day: 1)], Checkpoint: 8));

        Assert.Equal([5L, 8L, 12L], resent.Seqs);
        Assert.Equal([new CounterDelta("search", Metric.FeatureHourUsers, 489_600, 1)], resent.Of(0).ToArray());
        Assert.Empty(resent.Of(1).ToArray());
        Assert.Equal([new CounterDelta(string.Empty, Metric.TenantDayUsers, 20_401, 1)], resent.Of(2).ToArray());
        Assert.Equal([12L, 13L], next.Seqs);
        Assert.Equal(resent.Of(2).ToArray(), next.Of(0).ToArray());
    }

    [Fact]
    public async Task Apply_ResentAfterSnapshotKeptBySeq_ReturnsTheKeptDeltasLessTheEventsOwnCounts()
    {
        var user = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, "old-snapshot"));
        await StoreStateAsync(user, Convert.FromBase64String(SnapshotKeptBySeq));

        var resent = await user.Apply(new UserApplyRequest([Event("old-snapshot", 7), Event("old-snapshot", 12)], Checkpoint: 5));
        var next = await user.Apply(new UserApplyRequest([Event("old-snapshot", 12), Event("old-snapshot", 13)], Checkpoint: 7));

        // Everything that snapshot kept is an event's own count, which the partition adds again
        // on a re-dispatch: kept, it would count twice.
        Assert.Equal([7L, 12L], resent.Seqs);
        Assert.Empty(resent.Of(0).ToArray());
        Assert.Empty(resent.Of(1).ToArray());
        Assert.Equal([12L, 13L], next.Seqs);
        Assert.DoesNotContain(next.Deltas, delta => EventCounters.IsOwn(delta.Metric));
    }

    [Fact]
    public async Task Apply_ResentInOtherGroupings_ReturnsTheSameDeltas()
    {
        var user = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, "regrouped"));
        var first = await user.Apply(new UserApplyRequest([Event("regrouped", 3), Event("regrouped", 5)], Checkpoint: 0));
        var second = await user.Apply(new UserApplyRequest([Event("regrouped", 8, day: 1)], Checkpoint: 0));

        // A rewind re-sends across the first calls' boundaries, and then only what is above the checkpoint.
        var across = await user.Apply(new UserApplyRequest([Event("regrouped", 5), Event("regrouped", 8, day: 1)], Checkpoint: 3));
        var tail = await user.Apply(new UserApplyRequest([Event("regrouped", 8, day: 1)], Checkpoint: 5));

        Assert.Equal(first.Of(1).ToArray(), across.Of(0).ToArray());
        Assert.Equal(second.Of(0).ToArray(), across.Of(1).ToArray());
        Assert.Equal(second.Of(0).ToArray(), tail.Of(0).ToArray());
        Assert.NotEqual(first.Of(0).ToArray(), first.Of(1).ToArray()); // the first event of a user counts a new user
    }

    [Fact]
    public async Task Apply_ResentBelowWatermarkAndNeverKept_ThrowsMissingDeltas()
    {
        var user = fixture.Cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, "dropped"));
        await user.Apply(new UserApplyRequest([Event("dropped", 2), Event("dropped", 4)], Checkpoint: 0));
        await user.Apply(new UserApplyRequest([Event("dropped", 6)], Checkpoint: 4)); // drops 2 and 4

        await Assert.ThrowsAsync<MissingDeltasException>(async () => await user.Apply(new UserApplyRequest([Event("dropped", 4)], Checkpoint: 0)));
    }

    [Fact]
    public Task Quiet_ItsPartitionStoredACheckpoint_DropsTheDeltasItCoversAndKeepsTheRest() =>
        // A cluster of its own: the stored checkpoint is set by hand, which the shared log's users must not see.
        TestClusterFactory.WithClusterAsync(1, async (cluster, _) =>
        {
            const string userId = "quiet";
            var user = cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, userId));
            await user.Apply(new UserApplyRequest([Event(userId, 4)], Checkpoint: 0));
            var first = await user.Apply(new UserApplyRequest([Event(userId, 9, day: 1)], Checkpoint: 0));
            var silo = (InProcessSiloHandle)cluster.Primary!;
            silo.SiloHost!.Services.GetRequiredService<LocalPartitions>()
                .Stored(PartitionMap.PartitionOf(Tenant, userId, TestClusterFactory.Partitions), 4);

            // No further Apply brings the checkpoint: storing it on the silo drops seq 4 from the journal.
            await Polling.Until(
                async () => !await AnswersAsync(user, userId, 4),
                TimeSpan.FromSeconds(10),
                () => "seq 4 is still answered from kept deltas");
            var resent = await user.Apply(new UserApplyRequest([Event(userId, 9, day: 1)], Checkpoint: 0));
            Assert.Equal(first.Of(0).ToArray(), resent.Of(0).ToArray()); // above the checkpoint: still kept
        });

    /// <summary>A user whose Apply fails after applying its events (here its kept deltas are
    /// broken, as the eleventh round's overflow broke them) must not answer the partition's
    /// re-sends from that activation, which would find the events applied and their deltas
    /// missing, for ever: it leaves without saving, and a re-send meets a rebuilt activation that
    /// returns what a healthy user returns.</summary>
    [Fact]
    public Task Apply_FailedAfterApplying_AResendGetsTheDeltasOfAHealthyUser() =>
        TestClusterFactory.WithClusterAsync(1, async (cluster, _) =>
        {
            UserApplyRequest Events(string userId) => new([Event(userId, 3), Event(userId, 5, day: 1)], Checkpoint: 0);
            var healthy = await cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, "healthy")).Apply(Events("healthy"));
            var user = cluster.Client.GetGrain<IUserGrain>(GrainKeys.For(Tenant, "broken"));

            BrokenKeptDeltasFilter.BreakNextApply(user.GetGrainId());
            await Assert.ThrowsAnyAsync<Exception>(async () => await user.Apply(Events("broken")));

            // Like the partition, send again until answered: the failed activation may still take
            // one call while it leaves (it answers that one with MissingDeltas).
            AppliedDeltas? resent = null;
            await Polling.Until(
                async () => (resent = await TryApplyAsync(user, Events("broken"))) is not null,
                TimeSpan.FromSeconds(10),
                () => "every re-send still found the deltas missing");

            Assert.NotNull(resent);
            Assert.Equal(healthy.Seqs, resent.Seqs);
            Assert.Equal(healthy.Ends, resent.Ends);
            Assert.Equal(healthy.Deltas, resent.Deltas);
        },
        new Dictionary<string, string?> { [BrokenKeptDeltasFilter.Setting] = "true" });

    /// <summary>Whether the user still answers a re-send of <paramref name="seq"/> from kept deltas.</summary>
    private static async Task<bool> AnswersAsync(IUserGrain user, string userId, long seq) =>
        await TryApplyAsync(user, new UserApplyRequest([Event(userId, seq)], Checkpoint: 0)) is not null;

    /// <summary>The user's answer, or null when it has no deltas kept for an event sent again.</summary>
    private static async Task<AppliedDeltas?> TryApplyAsync(IUserGrain user, UserApplyRequest request)
    {
        try
        {
            return await user.Apply(request);
        }
        catch (MissingDeltasException)
        {
            return null;
        }
    }

    private static LoggedEvent Event(string userId, long seq, int day = 0)
    {
        var timestampMs = TimeBuckets.DayStartMs(20_400 + day) + seq;
        return new LoggedEvent(0, seq, timestampMs, new TrackedEvent(Tenant, userId, $"e{seq}", "click", "search", timestampMs, 1, string.Empty, null));
    }

    /// <summary>Writes the grain's stored state the way the embedded grain storage keeps it, before
    /// the grain is first activated.</summary>
    private async Task StoreStateAsync(IUserGrain user, byte[] data)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(fixture.DataDir, "state.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO grain_state (state_name, grain_id, version, data) VALUES ('user', $id, 1, $data)";
        command.Parameters.AddWithValue("$id", user.GetGrainId().ToString());
        command.Parameters.AddWithValue("$data", data);
        await command.ExecuteNonQueryAsync();
    }
}

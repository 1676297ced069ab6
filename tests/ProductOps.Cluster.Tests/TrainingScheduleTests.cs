using ProductOps.Grains;
using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Cluster.Tests;

/// <summary>When the scheduler starts a tenant's training.</summary>
public sealed class TrainingScheduleTests
{
    private const long Hour = 3_600_000;
    private const long Start = 1_700_000_000_000;

    [Theory]
    [InlineData(0, null, 1_000, false)] // interval 0: on demand only
    [InlineData(24, null, 23, false)] // never trained: due one interval after the silo started
    [InlineData(24, null, 24, true)]
    [InlineData(24, 0L, 23, false)] // last started 23 h ago
    [InlineData(24, 0L, 24, true)]
    public void IsDue_ByIntervalAndLastStart(int intervalHours, long? lastStartHours, long nowHours, bool due)
    {
        var latest = lastStartHours is { } h ? Finished(Start + (h * Hour)) : null;

        Assert.Equal(due, TrainingScheduler.IsDue(latest, intervalHours, Start + (nowHours * Hour), siloStartedAtMs: Start));
    }

    [Fact]
    public void IsDue_JobStillRunning_NotDue() =>
        Assert.False(TrainingScheduler.IsDue(Finished(Start) with { Status = TrainingStatus.Running, FinishedAtMs = null }, 1, Start + (100 * Hour), Start));

    private static TrainingJob Finished(long startedAtMs) =>
        new("acme-1", TrainingStatus.Succeeded, "done", 1, 10, 100, 50, startedAtMs, startedAtMs + 1_000, string.Empty, 1, true);
}

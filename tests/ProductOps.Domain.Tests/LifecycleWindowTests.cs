using ProductOps.Domain;
using ProductOps.Testing;

namespace ProductOps.Domain.Tests;

/// <summary>The lifecycle's "active in the last 7 days" and the overview's WAU are one window: the
/// UTC day of now and the six before it. A user the WAU counts is new, active or returning unless
/// they cancelled or were idle longer than a churn horizon under 6 days; one it does not count is
/// dormant or churned.</summary>
public sealed class LifecycleWindowTests
{
    [Theory]
    [InlineData(1, 14)]
    [InlineData(7, 14)]
    [InlineData(42, 30)]
    [InlineData(3, 3)] // horizons go down to 1 day (TenantSettingsValidator)
    [InlineData(5, 1)]
    public void LifecycleAt_EveryDayAfterTheLog_EngagedStagesAreExactlyTheWausUsers(int seed, int churnHorizonDays)
    {
        var rules = new TenantRules(TenantClock.Event, churnHorizonDays, [EventStreamGenerator.ChurnEvent, EventStreamGenerator.OtherChurnEvent]);
        var log = ReplayOracle.Deduplicate(EventStreamGenerator.Generate(seed, Events.Day0));
        var live = LiveReplay.Run(log, rules);
        var oracle = ReplayOracle.Replay(log, rules);
        var usage = log.Where(e => !e.IsIdentify).ToList();
        var lastDay = TimeBuckets.DayOf(usage.Max(e => e.TimestampMs));
        var lastActiveDay = usage.GroupBy(e => e.UserId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => TimeBuckets.DayOf(g.Max(e => e.TimestampMs)), StringComparer.Ordinal);

        // From the log's last day on (no user has a later event), at the day's start and end.
        for (var day = lastDay; day <= lastDay + 9; day++)
        {
            foreach (var asOf in new[] { TimeBuckets.DayStartMs(day), TimeBuckets.DayStartMs(day + 1) - 1 })
            {
                var inWau = usage
                    .Where(e => TimeBuckets.DayOf(e.TimestampMs) is var d && d >= day - 6 && d <= day)
                    .Select(e => e.UserId)
                    .ToHashSet(StringComparer.Ordinal);
                Assert.Equal(inWau.Count, oracle.Tenant.Get(Metric.TenantDayUsers7, day));

                foreach (var (userId, activity) in live.Users.Where(u => u.Value.FirstSeenMs is not null))
                {
                    // A horizon under 6 days churns users the WAU still counts (idle more than it).
                    var engaged = inWau.Contains(userId) && activity.CancelledAtMs is null && day - lastActiveDay[userId] <= churnHorizonDays;
                    var liveStage = activity.LifecycleAt(asOf, rules);
                    var oracleStage = oracle.User(userId, asOf).Lifecycle;
                    Assert.True(
                        IsEngaged(liveStage) == engaged && IsEngaged(oracleStage) == engaged,
                        $"{userId} on day {day - Events.Day0}: live {liveStage}, oracle {oracleStage}, in the day's WAU {inWau.Contains(userId)}");
                }
            }
        }
    }

    private static bool IsEngaged(Lifecycle stage) => stage is Lifecycle.New or Lifecycle.Active or Lifecycle.Returning;
}

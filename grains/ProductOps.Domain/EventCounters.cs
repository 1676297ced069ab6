namespace ProductOps.Domain;

/// <summary>
/// The counter deltas an event causes by itself, whatever its user did before: raw counts and
/// sums. The partition that dispatches the event adds these; the user grain returns (and keeps for
/// a re-dispatch) only those that depend on the user's history (<see cref="UserActivity.Apply"/>),
/// which most events have none of.
/// </summary>
public static class EventCounters
{
    /// <summary>Appends <paramref name="e"/>'s own deltas to <paramref name="deltas"/>; an identify
    /// event has none.</summary>
    public static void AddTo(TrackedEvent e, List<CounterDelta> deltas)
    {
        if (e.IsIdentify)
        {
            return;
        }

        var day = TimeBuckets.DayOf(e.TimestampMs);
        deltas.Add(new(string.Empty, Metric.TenantDayEvents, day, 1));
        deltas.Add(new(string.Empty, Metric.TenantTotalEvents, 0, 1));
        if (!e.HasFeature)
        {
            return;
        }

        var feature = e.Feature;
        var hour = TimeBuckets.HourOf(e.TimestampMs);
        deltas.Add(new(feature, Metric.FeatureHourEvents, hour, 1));
        deltas.Add(new(feature, Metric.FeatureHourValueSum, hour, e.Value));
        deltas.Add(new(feature, Metric.FeatureTotalEvents, 0, 1));
        if (e.Name == EventNames.Feedback)
        {
            deltas.Add(new(feature, Metric.FeatureHourFeedbackCount, hour, 1));
            deltas.Add(new(feature, Metric.FeatureHourFeedbackSum, hour, e.Value));
            deltas.Add(new(feature, Metric.FeatureDayFeedbackCount, day, 1));
            deltas.Add(new(feature, Metric.FeatureDayFeedbackSum, day, e.Value));
            deltas.Add(new(feature, Metric.FeatureTotalFeedbackCount, 0, 1));
            deltas.Add(new(feature, Metric.FeatureTotalFeedbackSum, 0, e.Value));
        }
    }

    /// <summary>Whether <paramref name="metric"/> is one <see cref="AddTo"/> counts: only the event
    /// moves it, never the user's history.</summary>
    public static bool IsOwn(Metric metric) => metric is Metric.TenantDayEvents or Metric.TenantTotalEvents
        or Metric.FeatureHourEvents or Metric.FeatureHourValueSum or Metric.FeatureTotalEvents
        or Metric.FeatureHourFeedbackCount or Metric.FeatureHourFeedbackSum
        or Metric.FeatureDayFeedbackCount or Metric.FeatureDayFeedbackSum
        or Metric.FeatureTotalFeedbackCount or Metric.FeatureTotalFeedbackSum;
}

using System.Globalization;

namespace ProductOps.Domain;

/// <summary>
/// The churn features of one user as of a time: the one function that both the training-set
/// builder (on a history rebuilt from the log up to a past cutoff) and the live user grain call,
/// so what the model learned from is exactly what it is served (train/serve parity).
/// </summary>
public static class ChurnFeatures
{
    private const double MsPerDay = TimeBuckets.MsPerDay;

    /// <summary>Stable feature names, in vector order. Append new ones; never reorder (models
    /// in the registry were trained on this order).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "tenure_days",
        "recency_days",
        "active_days_7",
        "active_days_14",
        "active_days_28",
        "active_days_90",
        "events_7",
        "events_28",
        "events_90",
        "trend_events_7_vs_prior_7",
        "trend_events_28_vs_prior_28",
        "trend_active_days_28_vs_prior_28",
        "sessions_7",
        "sessions_28",
        "value_28",
        "value_total",
        "gap_mean_days",
        "gap_spread_days",
        "recency_over_gap_mean",
        "features_used",
        "features_used_28",
        "feedback_count_90",
        "feedback_mean_90",
        "errors_7",
        "errors_28",
        "events_per_active_day_28",
        "active_days_total",
        "features_used_7",
        "trend_sessions_7_vs_prior_7",
        "errors_per_session_14",
        "feedback_mean_28",
        "events_per_session_7",
        "trend_events_before_silence",
        "trend_sessions_before_silence",
        "errors_per_session_before_silence",
        "feedback_mean_before_silence",
        "active_days_14_before_silence",
        "features_share_before_silence",
        "trait_1",
        "trait_2",
        "trait_3",
        "trait_4",
        "trait_5",
        "trait_6",
        "trait_7",
        "trait_8",
    ];

    /// <summary>Number of behaviour features, which come first in the vector.</summary>
    public const int BehaviourCount = 38;

    /// <summary>Number of features (the length of <see cref="Names"/>): behaviour, then the
    /// model's <see cref="TraitSlots"/>.</summary>
    public const int Count = BehaviourCount + TraitSlots.Capacity;

    /// <summary>Index of the recency feature (the baseline model uses it alone).</summary>
    public const int RecencyIndex = 1;

    /// <summary>The features of <paramref name="user"/> as of <paramref name="asOfMs"/>. The user's
    /// state must hold no event after <paramref name="asOfMs"/> that the caller wants ignored:
    /// the training builder only applies events before the cutoff.</summary>
    public static float[] Compute(UserActivity user, long asOfMs, TraitSlots? traits = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        var f = new float[Count];
        if (user.FirstSeenMs is not { } firstSeen)
        {
            return f;
        }

        (traits ?? TraitSlots.None).Encode(user.Traits, f.AsSpan(BehaviourCount));

        // The window "last n days" ends at the day of the instant just before asOf: at a midnight
        // cutoff that is the last complete day, live it is today so far. Live scoring is never
        // before the user's latest event, and may be at it: on a midnight, that event's day is
        // today so far. (The training builder holds only events before its cutoff: unchanged.)
        var today = TimeBuckets.DayOf(user.LastSeenMs >= asOfMs ? asOfMs : asOfMs - 1);
        var lastEngaged = user.LastEngagedMs ?? user.LastSeenMs ?? firstSeen;
        ref readonly var recent = ref user.Recent;
        ref readonly var days = ref user.ActiveDays;

        var e7 = recent.Sum(today - 6, today);
        var e14prior = recent.Sum(today - 13, today - 7);
        var e28 = recent.Sum(today - 27, today);
        var e28prior = recent.Sum(today - 55, today - 28);
        var e90 = recent.Sum(today - 89, today);
        var active28 = days.CountInRange(today - 27, today);
        var active28prior = days.CountInRange(today - 55, today - 28);
        var (gapMean, gapSpread) = Gaps(days, today - 89, today);
        var recency = Math.Max(0, (asOfMs - lastEngaged) / MsPerDay);
        var e14 = recent.Sum(today - 13, today);
        var cutoff28 = asOfMs - (28 * TimeBuckets.MsPerDay);
        var cutoff7 = asOfMs - (7 * TimeBuckets.MsPerDay);
        int features28 = 0, features7 = 0;
        foreach (var use in user.Features.Uses)
        {
            features28 += use.LastUseMs >= cutoff28 ? 1 : 0;
            features7 += use.LastUseMs >= cutoff7 ? 1 : 0;
        }

        f[0] = (float)Math.Max(0, (asOfMs - firstSeen) / MsPerDay);
        f[1] = (float)recency;
        f[2] = days.CountInRange(today - 6, today);
        f[3] = days.CountInRange(today - 13, today);
        f[4] = active28;
        f[5] = days.CountInRange(today - 89, today);
        f[6] = e7.Events;
        f[7] = e28.Events;
        f[8] = e90.Events;
        f[9] = Ratio(e7.Events, e14prior.Events);
        f[10] = Ratio(e28.Events, e28prior.Events);
        f[11] = Ratio(active28, active28prior);
        f[12] = e7.Sessions;
        f[13] = e28.Sessions;
        f[14] = (float)e28.Value;
        f[15] = (float)user.ValueSum;
        f[16] = (float)gapMean;
        f[17] = (float)gapSpread;
        f[18] = (float)(recency / Math.Max(1.0, gapMean));
        f[19] = user.Features.Count;
        f[20] = features28;
        f[21] = e90.FeedbackCount;
        f[22] = e90.FeedbackCount == 0 ? 0f : (float)(e90.FeedbackSum / e90.FeedbackCount);
        f[23] = e7.Errors;
        f[24] = e28.Errors;
        f[25] = active28 == 0 ? 0f : (float)e28.Events / active28;
        f[26] = days.Count;
        f[27] = features7;
        f[28] = Ratio(e7.Sessions, e14prior.Sessions);
        f[29] = (float)e14.Errors / Math.Max(1, e14.Sessions);
        f[30] = e28.FeedbackCount == 0 ? 0f : (float)(e28.FeedbackSum / e28.FeedbackCount);
        f[31] = (float)e7.Events / Math.Max(1, e7.Sessions);

        // The same signs measured up to the last active day: a user who went quiet after a
        // decline differs from one who went quiet in full swing (a break).
        var lastDay = LastActiveDayUpTo(days, today) ?? today;
        var b7 = recent.Sum(lastDay - 6, lastDay);
        var b7prior = recent.Sum(lastDay - 13, lastDay - 7);
        var b14 = recent.Sum(lastDay - 13, lastDay);
        var b28 = recent.Sum(lastDay - 27, lastDay);
        var lastDayStartMs = TimeBuckets.DayStartMs(lastDay + 1);
        var featuresBefore = 0;
        foreach (var use in user.Features.Uses)
        {
            featuresBefore += use.LastUseMs >= lastDayStartMs - (7 * TimeBuckets.MsPerDay) ? 1 : 0;
        }

        f[32] = Ratio(b7.Events, b7prior.Events);
        f[33] = Ratio(b7.Sessions, b7prior.Sessions);
        f[34] = (float)b14.Errors / Math.Max(1, b14.Sessions);
        f[35] = b28.FeedbackCount == 0 ? 0f : (float)(b28.FeedbackSum / b28.FeedbackCount);
        f[36] = days.CountInRange(lastDay - 13, lastDay);
        f[37] = user.Features.Count == 0 ? 0f : (float)featuresBefore / user.Features.Count;
        return f;
    }

    /// <summary>One feature and its value in plain words, for a score's explanation.</summary>
    public static string Describe(int index, float value, TraitSlots? traits = null)
    {
        if (index >= BehaviourCount)
        {
            return (traits ?? TraitSlots.None).Describe(index - BehaviourCount, value);
        }

        var v = value.ToString("0.#", CultureInfo.InvariantCulture);
        return index switch
        {
            0 => $"user for {v} days",
            1 => $"no activity for {v} days",
            2 => $"active on {v} of the last 7 days",
            3 => $"active on {v} of the last 14 days",
            4 => $"active on {v} of the last 28 days",
            5 => $"active on {v} of the last 90 days",
            6 => $"{v} events in the last 7 days",
            7 => $"{v} events in the last 28 days",
            8 => $"{v} events in the last 90 days",
            9 => $"last 7 days' events are {v}x the week before",
            10 => $"last 28 days' events are {v}x the 28 days before",
            11 => $"last 28 days' active days are {v}x the 28 days before",
            12 => $"{v} sessions in the last 7 days",
            13 => $"{v} sessions in the last 28 days",
            14 => $"value {v} in the last 28 days",
            15 => $"value {v} in total",
            16 => $"{v} days between active days on average",
            17 => $"gaps between active days vary by {v} days",
            18 => $"silent {v}x longer than the usual gap",
            19 => $"used {v} features",
            20 => $"used {v} features in the last 28 days",
            21 => $"gave feedback {v} times in 90 days",
            22 => value == 0 ? NoFeedback("in the last 90 days") : $"average feedback score {v} (90 days)",
            23 => $"{v} errors in the last 7 days",
            24 => $"{v} errors in the last 28 days",
            25 => $"{v} events per active day (28 days)",
            26 => $"active on {v} days in total",
            27 => $"used {v} features in the last 7 days",
            28 => $"last 7 days' sessions are {v}x the week before",
            29 => $"{v} errors per session (14 days)",
            30 => value == 0 ? NoFeedback("in the last 28 days") : $"average feedback score {v} (28 days)",
            31 => $"{v} events per session (7 days)",
            32 => $"events in the week before going quiet were {v}x the week before",
            33 => $"sessions in the week before going quiet were {v}x the week before",
            34 => $"{v} errors per session before going quiet",
            35 => value == 0 ? NoFeedback("in the 28 days before going quiet") : $"average feedback score {v} before going quiet",
            36 => $"active on {v} of the 14 days before going quiet",
            37 => $"used {value.ToString("P0", CultureInfo.InvariantCulture)} of their features in the week before going quiet",
            _ => throw new ArgumentOutOfRangeException(nameof(index), index, "No such churn feature."),
        };
    }

    /// <summary>A feedback mean is 0 without feedback: the reason must not read as a score of 0.</summary>
    private static string NoFeedback(string window) => $"no feedback (or only scores of 0) {window}";

    /// <summary>(now + 1) / (before + 1): 1 when steady, below 1 when fading.</summary>
    private static float Ratio(int now, int before) => (float)(now + 1) / (before + 1);

    /// <summary>The latest active day at or before <paramref name="day"/>.</summary>
    private static int? LastActiveDayUpTo(in SortedInts days, int day) =>
        days.Count > 0 && days.Items[^1] <= day ? days.Items[^1] : days.Predecessor(day + 1);

    /// <summary>Mean and standard deviation of the gaps between consecutive active days in [low, high].</summary>
    private static (double Mean, double Spread) Gaps(in SortedInts days, int low, int high)
    {
        var n = 0;
        var sum = 0.0;
        var sumSquares = 0.0;
        int? previous = null;
        foreach (var day in days.Items)
        {
            if (day < low)
            {
                continue;
            }

            if (day > high)
            {
                break;
            }

            if (previous is { } p)
            {
                var gap = day - p;
                n++;
                sum += gap;
                sumSquares += (double)gap * gap;
            }

            previous = day;
        }

        if (n == 0)
        {
            return (0, 0);
        }

        var mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, (sumSquares / n) - (mean * mean))));
    }
}

namespace ProductOps.Domain;

/// <summary>The counters kept per feature and per tenant. Hour* and Day* counters are keyed by
/// UTC hour or day number; Total* counters by bucket 0. Never renumber: values are stored.</summary>
public enum Metric : byte
{
    // Feature counters.
    FeatureHourEvents = 1,
    FeatureHourValueSum = 2,
    FeatureHourUsers = 3,
    FeatureHourNewAdopters = 4,
    FeatureDayUsers = 5,
    FeatureDayUsers7 = 6,
    FeatureDayUsers30 = 7,
    FeatureDayFeedbackCount = 8,
    FeatureDayFeedbackSum = 9,
    FeatureTotalAdopters = 10,
    FeatureTotalEvents = 11,
    FeatureTotalFeedbackCount = 12,
    FeatureTotalFeedbackSum = 13,

    // How the 7- and 30-day windows are kept (see CounterSet): at each day, how much the window
    // ending that day differs from the one ending the day before. Never read directly.
    FeatureDayUsers7Change = 14,
    FeatureDayUsers30Change = 15,

    // Feedback per hour, for the hourly series (the day's are kept too: hours stored by earlier
    // builds have none).
    FeatureHourFeedbackCount = 16,
    FeatureHourFeedbackSum = 17,

    // Tenant counters.
    TenantDayEvents = 20,
    TenantDayUsers = 21,
    TenantDayUsers7 = 22,
    TenantDayUsers30 = 23,
    TenantDayNewUsers = 24,
    TenantTotalUsers = 25,
    TenantTotalEvents = 26,
    TenantDayUsers7Change = 27,
    TenantDayUsers30Change = 28,
}

using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Query;
using ContractDayActivity = ProductOps.Contracts.V1.DayActivity;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// The views the query API should return, computed from the replay oracle, and the actual views
/// with what the oracle cannot know (tenant-wide adoption rates, ingestion counters, freshness,
/// the clock reading) taken out, so the two compare as whole messages.
/// </summary>
public static class ExpectedViews
{
    private const int DefaultRangeDays = 30;

    public static UserView User(OracleResult oracle, string userId, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        return ContractMapper.ToContract(oracle.User(userId, asOfMs));
    }

    /// <summary>GetFeature with the default range (the 30 days up to the clock's now), minus adoption rates.</summary>
    public static FeatureView Feature(OracleResult oracle, string feature, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        var counters = oracle.Features.GetValueOrDefault(feature) ?? new CounterSet();
        var report = FeatureReports.Report(feature, counters, TimeRange.DaysEndingAt(asOfMs, DefaultRangeDays), asOfMs);
        var view = ContractMapper.ToContract(report, new ActiveUsers(0, 0, 0));
        view.Adoption = null; // tenant-wide active users are not the oracle's to know here
        return view;
    }

    /// <summary>GetOverview with the default range, for a tenant whose whole log the oracle holds.</summary>
    public static OverviewView Overview(OracleResult oracle, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        var activity = TenantActivity.From(oracle.Tenant, TimeRange.DaysEndingAt(asOfMs, DefaultRangeDays));
        var view = new OverviewView { TotalUsers = activity.TotalUsers, TotalEvents = activity.TotalEvents };
        view.Days.AddRange(activity.Days.Select(ContractMapper.ToContract));
        return view;
    }

    /// <summary>The per-day figures of the default range, to compare as differences in a shared tenant.</summary>
    public static IReadOnlyList<DayCounts> Days(OracleResult oracle, long asOfMs)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        return [.. TenantActivity.From(oracle.Tenant, TimeRange.DaysEndingAt(asOfMs, DefaultRangeDays)).Days
            .Select(d => new DayCounts(d.DayStartMs, d.Dau, d.Wau, d.Mau, d.NewUsers, d.Events))];
    }

    /// <summary>A feature's adoption rates: its active users (the oracle holds all of the feature's
    /// events) over the tenant's on the same day, as an overview of the tenant reports them.</summary>
    public static AdoptionRates Adoption(OracleResult oracle, string feature, ContractDayActivity tenantDay)
    {
        ArgumentNullException.ThrowIfNull(oracle);
        ArgumentNullException.ThrowIfNull(tenantDay);
        var users = ActiveUsers.OfFeature(oracle.Features[feature], TimeBuckets.DayOf(AcceptedEvents.Ms(tenantDay.Day)));
        return new AdoptionRates
        {
            Day1 = Share(users.Day1, tenantDay.Dau),
            Day7 = Share(users.Day7, tenantDay.Wau),
            Day30 = Share(users.Day30, tenantDay.Mau),
        };

        static double Share(long part, long whole) => whole == 0 ? 0 : (double)part / whole; // no active users: no adoption
    }

    /// <summary>A feature view without its adoption rates (shares of the whole tenant's active users).</summary>
    public static FeatureView WithoutAdoption(FeatureView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var copy = view.Clone();
        copy.Adoption = null;
        return copy;
    }

    /// <summary>An overview with only what the event log determines: days and totals.</summary>
    public static OverviewView ActivityOnly(OverviewView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        var copy = new OverviewView { TotalUsers = view.TotalUsers, TotalEvents = view.TotalEvents };
        copy.Days.AddRange(view.Days);
        return copy;
    }

    /// <summary>Per-day differences between two overviews of the same tenant, matched by day.</summary>
    public static IReadOnlyList<DayCounts> Difference(OverviewView after, OverviewView before)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(before);
        var earlier = before.Days.ToDictionary(d => AcceptedEvents.Ms(d.Day));
        return [.. after.Days.Select(d =>
        {
            var day = AcceptedEvents.Ms(d.Day);
            var b = earlier.GetValueOrDefault(day) ?? new ContractDayActivity();
            return new DayCounts(day, d.Dau - b.Dau, d.Wau - b.Wau, d.Mau - b.Mau, d.NewUsers - b.NewUsers, d.Events - b.Events);
        })];
    }

    public static Timestamp Time(long ms) => ContractMapper.Time(ms);
}

using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;
using DomainLifecycle = ProductOps.Domain.Lifecycle;
using DomainSeriesPoint = ProductOps.Domain.SeriesPoint;
using DomainFeatureSummary = ProductOps.Domain.FeatureSummary;
using ContractLifecycle = ProductOps.Contracts.V1.Lifecycle;
using ContractSeriesPoint = ProductOps.Contracts.V1.SeriesPoint;
using ContractFeatureSummary = ProductOps.Contracts.V1.FeatureSummary;

namespace ProductOps.Gateway.Query;

/// <summary>Maps domain views to the public contract (tests use it too, on the oracle's views).</summary>
public static class ContractMapper
{
    public static Timestamp Time(long ms) => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms));

    public static UserView ToContract(UserSnapshot user)
    {
        var view = new UserView
        {
            UserId = user.UserId,
            EventCount = user.EventCount,
            ActiveDays = user.ActiveDays,
            Sessions = user.Sessions,
            ValueSum = user.ValueSum,
            Lifecycle = ToContract(user.Lifecycle),
            AsOf = Time(user.AsOfMs),
        };
        if (user.FirstSeenMs is { } first)
        {
            view.FirstSeen = Time(first);
        }

        if (user.LastSeenMs is { } last)
        {
            view.LastSeen = Time(last);
        }

        view.Features.AddRange(user.Features.Select(f => new Contracts.V1.FeatureUsage
        {
            Feature = f.Feature,
            Count = f.Count,
            FirstUsed = Time(f.FirstUseMs),
            LastUsed = Time(f.LastUseMs),
        }));
        foreach (var (key, value) in user.Traits)
        {
            view.Traits[key] = value;
        }
        return view;
    }

    public static FeatureView ToContract(FeatureReport report, ActiveUsers tenantActive)
    {
        var summary = report.Totals.Against(tenantActive);
        var view = new FeatureView
        {
            Feature = summary.Feature,
            AdoptersAllTime = summary.AdoptersAllTime,
            EventsAllTime = summary.EventsAllTime,
            Adoption = Adoption(summary),
            FeedbackCount = summary.FeedbackCount,
            FeedbackMean = summary.FeedbackMean,
            AsOf = Time(report.AsOfMs),
        };
        AddPoints(view.Daily, report.Daily);
        AddPoints(view.Hourly, report.Hourly);
        return view;
    }

    // Sized once: a 30-day report has 720 hourly points, which AddRange over a Select would grow into.
    private static void AddPoints(RepeatedField<ContractSeriesPoint> into, IReadOnlyList<DomainSeriesPoint> points)
    {
        into.Capacity = points.Count;
        for (var i = 0; i < points.Count; i++)
        {
            into.Add(ToContract(points[i]));
        }
    }

    public static ContractFeatureSummary ToContract(DomainFeatureSummary summary) => new()
    {
        Feature = summary.Feature,
        AdoptersAllTime = summary.AdoptersAllTime,
        EventsAllTime = summary.EventsAllTime,
        Adoption = Adoption(summary),
        FeedbackCount = summary.FeedbackCount,
        FeedbackMean = summary.FeedbackMean,
    };

    public static Contracts.V1.DayActivity ToContract(Domain.DayActivity day) => new()
    {
        Day = Time(day.DayStartMs),
        Dau = day.Dau,
        Wau = day.Wau,
        Mau = day.Mau,
        Stickiness = day.Stickiness,
        NewUsers = day.NewUsers,
        Events = day.Events,
    };

    public static ContractSeriesPoint ToContract(DomainSeriesPoint point) => new()
    {
        BucketStart = Time(point.BucketStartMs),
        Events = point.Events,
        DistinctUsers = point.DistinctUsers,
        ValueSum = point.ValueSum,
        NewAdopters = point.NewAdopters,
        FeedbackCount = point.FeedbackCount,
        FeedbackMean = point.FeedbackCount == 0 ? 0 : point.FeedbackSum / point.FeedbackCount,
    };

    private static AdoptionRates Adoption(DomainFeatureSummary summary) =>
        new() { Day1 = summary.Adoption1, Day7 = summary.Adoption7, Day30 = summary.Adoption30 };

    public static ContractLifecycle ToContract(DomainLifecycle lifecycle) => lifecycle switch
    {
        DomainLifecycle.New => ContractLifecycle.New,
        DomainLifecycle.Active => ContractLifecycle.Active,
        DomainLifecycle.Returning => ContractLifecycle.Returning,
        DomainLifecycle.Dormant => ContractLifecycle.Dormant,
        DomainLifecycle.Churned => ContractLifecycle.Churned,
        _ => ContractLifecycle.Unspecified,
    };

    /// <summary>A score made on request (GetChurnRisk): explained whatever the probability.</summary>
    public static ChurnRiskView ToContract(string userId, ChurnRisk risk, double alertThreshold)
    {
        var view = Scored(userId, risk, risk.Probability >= alertThreshold);
        view.Reasons.AddRange(risk.Reasons);
        return view;
    }

    /// <summary>An index entry: a score, at risk when judged so at scoring and at or above today's
    /// threshold (reasons exactly then), or a user who cancelled.</summary>
    public static ChurnRiskView ToContract(ChurnIndexEntry entry, double alertThreshold)
    {
        if (entry.CancelledAtMs is { } cancelledAt)
        {
            return new ChurnRiskView { UserId = entry.UserId, CancelledAt = Time(cancelledAt) };
        }

        var risk = entry.Risk ?? throw new ArgumentException("the entry has no score", nameof(entry));
        var view = Scored(entry.UserId, risk, entry.JudgedAtRisk && risk.Probability >= alertThreshold);
        if (view.AtRisk)
        {
            view.Reasons.AddRange(risk.Reasons); // a line judged with a higher threshold has them too
        }

        return view;
    }

    private static ChurnRiskView Scored(string userId, ChurnRisk risk, bool atRisk) => new()
    {
        UserId = userId,
        Probability = risk.Probability,
        ModelVersion = risk.ModelVersion,
        ScoredAt = Time(risk.ScoredAtMs),
        AtRisk = atRisk,
    };

    public static AtRiskAlert ToContract(AtRiskCrossing crossing, double alertThreshold)
    {
        var alert = new AtRiskAlert { User = ToContract(crossing.User, alertThreshold) };
        if (crossing.PreviousProbability is { } previous)
        {
            alert.PreviousProbability = previous;
        }

        return alert;
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Ingest;

/// <summary>
/// Holds each tenant to <see cref="IngestLimits.MaxFeaturesPerTenant"/> distinct features, before
/// anything is written: a client that sends ids or URLs as feature names would otherwise make a
/// grain per name and a feature list that every checkpoint rewrites and every ListFeatures reads.
/// </summary>
/// <remarks>The tenant grain decides (one place for all gateways); this gateway remembers what it
/// admitted, so only a batch with a feature new to this gateway costs a call. What it remembers
/// is bounded by the limit per tenant.</remarks>
public sealed class FeatureAdmission(IGrainFactory grains, IOptions<IngestLimits> limits)
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _admittedByTenant = new(StringComparer.Ordinal);

    /// <summary>The intake's result with events whose new feature the tenant has no room for
    /// moved to the rejected ones (by their index in the request).</summary>
    public async ValueTask<IntakeResult> AdmitAsync(string tenant, IntakeResult intake)
    {
        var admitted = _admittedByTenant.GetOrAdd(tenant, static _ => new(StringComparer.Ordinal));
        HashSet<string>? unknown = null;
        foreach (var e in intake.Accepted)
        {
            if (e.HasFeature && !admitted.ContainsKey(e.Feature))
            {
                (unknown ??= new(StringComparer.Ordinal)).Add(e.Feature);
            }
        }

        if (unknown is null)
        {
            return intake;
        }

        var max = limits.Value.MaxFeaturesPerTenant;
        var answer = await grains.GetGrain<ITenantGrain>(tenant).AdmitFeatures([.. unknown], max);
        foreach (var name in answer)
        {
            admitted.TryAdd(name, 0);
        }

        return answer.Count == unknown.Count ? intake : WithoutRefused(intake, admitted, max);
    }

    private static IntakeResult WithoutRefused(IntakeResult intake, ConcurrentDictionary<string, byte> admitted, int max)
    {
        var accepted = new List<TrackedEvent>(intake.Accepted.Count);
        var rejected = new List<RejectedEvent>(intake.Rejected.Count + 1);
        var reason = $"is a new feature and the tenant has its {max:N0} already (ProductOps:Limits:MaxFeaturesPerTenant); "
            + "feature names come from a fixed set, not ids or URLs";

        // The intake keeps request order in both lists: walk the request's indices to give each
        // accepted event its own.
        var nextAccepted = 0;
        var nextRejected = 0;
        for (var index = 0; index < intake.Accepted.Count + intake.Rejected.Count; index++)
        {
            if (nextRejected < intake.Rejected.Count && intake.Rejected[nextRejected].Index == index)
            {
                rejected.Add(intake.Rejected[nextRejected++]);
                continue;
            }

            var e = intake.Accepted[nextAccepted++];
            if (e.HasFeature && !admitted.ContainsKey(e.Feature))
            {
                rejected.Add(new RejectedEvent { Index = index, Field = "feature", Reason = reason });
            }
            else
            {
                accepted.Add(e);
            }
        }

        return intake with { Accepted = accepted, Rejected = rejected };
    }
}

using System.Globalization;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Query;

/// <summary>WatchOverview and WatchFeature resume tokens: where a sent view was read (its
/// <see cref="ViewVersion"/>), for one tenant's view of one kind, opaque to callers. A watch resumed
/// from one sends no view behind it, so a dashboard that reconnects after a crash does not show
/// its figures going back while the grains catch up.</summary>
public static class ViewResumeToken
{
    public const string Field = "resume_token";
    private const string Version = "1";

    // Neither a tenant nor a feature id holds a control character: this one joins them unambiguously.
    private const char OwnerSeparator = '\u001f';

    /// <summary>The view kind a token names: "overview", or "feature:" and the feature.</summary>
    public static string OverviewKind => "overview";

    public static string FeatureKind(string feature) => "feature:" + feature;

    public static string Encode(string tenant, string kind, ViewVersion version) =>
        OpaqueToken.Encode(
            Version,
            version.EventsAllTime.ToString(CultureInfo.InvariantCulture),
            string.Join(';', version.Grains.Select(g => g is { IsKnown: true } known ? known.ToString() : "-")),
            tenant + OwnerSeparator + kind);

    /// <summary>The version the token names; null for an empty token.</summary>
    /// <exception cref="RequestValidationException">The token is not one this service issued to a
    /// watch of <paramref name="tenant"/>'s view of <paramref name="kind"/>.</exception>
    public static ViewVersion? Decode(string token, string tenant, string kind)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        if (OpaqueToken.Decode(token, 4) is [Version, var eventsText, var grainsText, var owner]
            && long.TryParse(eventsText, NumberStyles.None, CultureInfo.InvariantCulture, out var events)
            && GrainsOf(grainsText) is { } grains
            && owner.Split(OwnerSeparator) is [var tokenTenant, var tokenKind])
        {
            if (tokenTenant != tenant)
            {
                throw new RequestValidationException(new ValidationFailure(Field, "is from another tenant's watch"));
            }

            return tokenKind == kind
                ? new ViewVersion(events, grains)
                : throw new RequestValidationException(new ValidationFailure(Field, "is from a watch of another view"));
        }

        throw new RequestValidationException(new ValidationFailure(Field, "is not a token from a previous WatchOverview or WatchFeature view"));
    }

    private static ReceiverVersion?[]? GrainsOf(string text)
    {
        var parts = text.Split(';');
        var grains = new ReceiverVersion?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] == "-")
            {
                continue;
            }

            if ((grains[i] = ReceiverVersion.TryParse(parts[i])) is null)
            {
                return null;
            }
        }

        return grains;
    }
}

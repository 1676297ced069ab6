using System.Globalization;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>WatchAtRisk resume tokens: a place in a tenant's at-risk feed (its epoch and an alert's
/// sequence number), opaque to callers. A watch resumed from one sends the alerts after it.</summary>
public static class AtRiskResumeToken
{
    public const string Field = "resume_token";
    private const string Version = "1";

    public static string Encode(string tenant, AtRiskFeedPosition position) =>
        OpaqueToken.Encode(Version, position.Epoch.ToString("N"), position.Seq.ToString(CultureInfo.InvariantCulture), tenant);

    /// <summary>The place the token names; null for an empty token.</summary>
    /// <exception cref="RequestValidationException">The token is not one this service issued to
    /// <paramref name="tenant"/>'s watches.</exception>
    public static AtRiskFeedPosition? Decode(string token, string tenant)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        if (OpaqueToken.Decode(token, 4) is [Version, var epochText, var seqText, var tokenTenant]
            && Guid.TryParseExact(epochText, "N", out var epoch)
            && long.TryParse(seqText, NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
        {
            return tokenTenant == tenant
                ? new AtRiskFeedPosition(epoch, seq)
                : throw new RequestValidationException(new ValidationFailure(Field, "is from another tenant's watch"));
        }

        throw new RequestValidationException(new ValidationFailure(Field, "is not a token from a previous WatchAtRisk call"));
    }
}

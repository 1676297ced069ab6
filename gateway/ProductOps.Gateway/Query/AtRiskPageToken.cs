using System.Globalization;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Gateway.Query;

/// <summary>ListAtRiskUsers page tokens: the last user of a page and its probability, opaque to
/// callers (base64url). A page continues strictly after that position.</summary>
public static class AtRiskPageToken
{
    private const string Version = "1";

    public static string Encode(AtRiskCursor cursor) =>
        OpaqueToken.Encode(Version, cursor.Probability.ToString("R", CultureInfo.InvariantCulture), cursor.UserId);

    /// <summary>The position the token names; null for an empty token.</summary>
    /// <param name="token">The request's page token.</param>
    /// <param name="limits">What a user id may be: a token names one this service listed.</param>
    /// <exception cref="RequestValidationException">The token is not one this service issued.</exception>
    public static AtRiskCursor? Decode(string token, IngestLimits limits)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        // A forged position is refused too: it is sent to every shard of the tenant.
        if (OpaqueToken.Decode(token, 3) is [Version, var probabilityText, var userId]
            && float.TryParse(probabilityText, NumberStyles.Float, CultureInfo.InvariantCulture, out var probability)
            && probability is >= 0 and <= 1
            && EventValidator.Id("page_token", userId, limits, required: true) is null)
        {
            return new AtRiskCursor(probability, userId);
        }

        throw new RequestValidationException(new ValidationFailure("page_token", "is not a token from a previous ListAtRiskUsers response"));
    }
}

using System.Globalization;
using System.Text;
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
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', Version, cursor.Probability.ToString("R", CultureInfo.InvariantCulture), cursor.UserId)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

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

        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            var parts = text.Split('|', 3);
            // A forged position is refused too: it is sent to every shard of the tenant.
            if (parts.Length == 3 && parts[0] == Version
                && float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var probability)
                && probability is >= 0 and <= 1
                && EventValidator.Id("page_token", parts[2], limits, required: true) is null)
            {
                return new AtRiskCursor(probability, parts[2]);
            }
        }
        catch (FormatException)
        {
            // reported below
        }

        throw new RequestValidationException(new ValidationFailure("page_token", "is not a token from a previous ListAtRiskUsers response"));
    }
}

using System.Text;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Query;

/// <summary>WatchOverview and WatchFeature resume tokens: where a sent view was read (its
/// <see cref="ViewVersion"/>), for one tenant's view of one kind, opaque to callers. A watch resumed
/// from one sends no view behind it (for a while: see <see cref="ViewWatch"/>), so a dashboard that
/// reconnects after a crash does not show its figures going back while the grains catch up.
/// Bytes, not text: at the default 32 partitions a feature view's token is a few hundred characters.</summary>
public static class ViewResumeToken
{
    public const string Field = "resume_token";
    private const byte Version = 1;

    // Strict: a forged id that is not UTF-8 is refused, not read as replacement characters.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The view kind a token names: "overview", or "feature:" and the feature.</summary>
    public static string OverviewKind => "overview";

    public static string FeatureKind(string feature) => "feature:" + feature;

    public static string Encode(string tenant, string kind, ViewVersion version)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, Utf8, leaveOpen: true))
        {
            writer.Write(Version);
            writer.Write(tenant);
            writer.Write(kind);
            writer.Write7BitEncodedInt64(version.EventsAllTime);
            writer.Write((byte)version.Grains.Count);
            foreach (var grain in version.Grains)
            {
                writer.Write(grain is { IsKnown: true });
                grain?.WriteTo(writer);
            }
        }

        return OpaqueToken.EncodeBytes(bytes.ToArray());
    }

    /// <summary>The version the token names; null for an empty token.</summary>
    /// <param name="token">The caller's token.</param>
    /// <param name="tenant">The caller's tenant.</param>
    /// <param name="kind">The view watched (<see cref="OverviewKind"/>, <see cref="FeatureKind"/>).</param>
    /// <param name="grains">How many grains that view is built from.</param>
    /// <param name="partitions">The cluster's event-log partitions.</param>
    /// <exception cref="RequestValidationException">The token is not one this service issued to a
    /// watch of <paramref name="tenant"/>'s view of <paramref name="kind"/>.</exception>
    public static ViewVersion? Decode(string token, string tenant, string kind, int grains, int partitions)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        // A token this service issued is its ids (at most 4 characters a character once in
        // base64) and at most ~30 bytes a grain's partition; anything longer is refused before it
        // is read, so a forged one costs the gateway nothing.
        if (token.Length <= 64 + (4 * (tenant.Length + kind.Length)) + (partitions * grains * 24)
            && OpaqueToken.DecodeBytes(token) is { } bytes)
        {
            try
            {
                using var reader = new BinaryReader(new MemoryStream(bytes), Utf8);
                if (reader.ReadByte() == Version)
                {
                    var (tokenTenant, tokenKind) = (reader.ReadString(), reader.ReadString());
                    if (tokenTenant != tenant)
                    {
                        throw new RequestValidationException(new ValidationFailure(Field, "is from another tenant's watch"));
                    }

                    if (tokenKind != kind)
                    {
                        throw new RequestValidationException(new ValidationFailure(Field, "is from a watch of another view"));
                    }

                    var events = reader.Read7BitEncodedInt64();
                    if (events >= 0 && reader.ReadByte() == grains && VersionsOf(reader, grains, partitions) is { } versions
                        && reader.BaseStream.Position == bytes.Length)
                    {
                        return new ViewVersion(events, versions);
                    }
                }
            }
            catch (Exception e) when (e is IOException or FormatException or DecoderFallbackException) // IOException: a negative length, or the bytes end first
            {
            }
        }

        throw new RequestValidationException(new ValidationFailure(Field, "is not a token from a previous WatchOverview or WatchFeature view"));
    }

    private static ReceiverVersion?[]? VersionsOf(BinaryReader reader, int grains, int partitions)
    {
        var versions = new ReceiverVersion?[grains];
        for (var i = 0; i < grains; i++)
        {
            if (reader.ReadBoolean() && (versions[i] = ReceiverVersion.ReadFrom(reader, partitions)) is null)
            {
                return null;
            }
        }

        return versions;
    }
}

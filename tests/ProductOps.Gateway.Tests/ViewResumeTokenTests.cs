using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Query;

namespace ProductOps.Gateway.Tests;

public sealed class ViewResumeTokenTests
{
    private const int Partitions = 32;

    private static readonly ViewVersion Read = new(42, [Version((0, 5), (31, 9)), null]);

    [Fact]
    public void Decode_ATokenItIssued_TheVersionItNamed()
    {
        var kind = ViewResumeToken.FeatureKind("search|export"); // a feature id may hold '|'

        var decoded = ViewResumeToken.Decode(ViewResumeToken.Encode("acme", kind, Read), "acme", kind, grains: 2, Partitions)!;

        Assert.Equal(42, decoded.EventsAllTime);
        Assert.Equal([Version((0, 5), (31, 9)), null], decoded.Grains);
        Assert.Null(ViewResumeToken.Decode(string.Empty, "acme", kind, grains: 2, Partitions));
    }

    [Fact]
    public void Decode_AnEmptyGrainVersion_KnownAndEmpty()
    {
        var token = ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, new ViewVersion(0, [Version()]));

        var grain = ViewResumeToken.Decode(token, "acme", ViewResumeToken.OverviewKind, grains: 1, Partitions)!.Grains.Single();

        Assert.True(grain!.IsKnown);
        Assert.Equal(Version(), grain);
    }

    /// <summary>A feature view's token at the default 32 partitions, both grains fed by every one:
    /// a few hundred characters, not kilobytes.</summary>
    [Fact]
    public void Encode_EveryPartitionOfBothGrains_AFewHundredCharacters()
    {
        var full = Version([.. Enumerable.Range(0, Partitions).Select(p => (p, 1_000_000L + p))]);

        var token = ViewResumeToken.Encode("acme", ViewResumeToken.FeatureKind("search"), new ViewVersion(64_000_000, [full, full]));

        Assert.InRange(token.Length, 100, 400);
    }

    [Theory]
    [InlineData("globex", "overview", "is from another tenant's watch")]
    [InlineData("acme", "feature:search", "is from a watch of another view")]
    public void Decode_AnotherTenantsOrViewsToken_RefusedNamingTheField(string tenant, string kind, string reason)
    {
        var token = ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, new ViewVersion(42, [Version((0, 5))]));

        var refused = Assert.Throws<RequestValidationException>(() => ViewResumeToken.Decode(token, tenant, kind, grains: 1, Partitions));

        Assert.Equal(("resume_token", reason), (refused.Failure.Field, refused.Failure.Reason));
    }

    /// <summary>What a caller could forge is refused before the watch starts: not base64, cut
    /// short, trailing bytes, another token version, the wrong number of grains for the view, a
    /// partition this cluster does not have, or a token far longer than any it issues (refused
    /// unread, so a forged one costs the gateway nothing).</summary>
    [Fact]
    public void Decode_NotATokenItIssued_RefusedNamingTheField()
    {
        var issued = OpaqueToken.DecodeBytes(ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, new ViewVersion(42, [Version((0, 5))])))!;
        string[] forged =
        [
            "not a token!",
            OpaqueToken.EncodeBytes(issued[..^2]),
            OpaqueToken.EncodeBytes([.. issued, 0]),
            OpaqueToken.EncodeBytes([2, .. issued[1..]]),
            ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, new ViewVersion(42, [Version((0, 5)), Version((0, 5))])),
            ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, new ViewVersion(42, [Version((Partitions, 5))])),
            OpaqueToken.EncodeBytes([.. issued, .. new byte[1024 * 1024]]),
            OpaqueToken.EncodeBytes([1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]), // a negative string length
            OpaqueToken.EncodeBytes([1, 2, 0xC3, 0x28]), // a tenant that is not UTF-8
        ];

        foreach (var token in forged)
        {
            var refused = Assert.Throws<RequestValidationException>(() => ViewResumeToken.Decode(token, "acme", ViewResumeToken.OverviewKind, grains: 1, Partitions));
            Assert.Equal("resume_token", refused.Failure.Field);
        }
    }

    /// <summary>The longest ids still make tokens the gateway takes back.</summary>
    [Fact]
    public void Decode_LongIdsAndOnePartition_ItsOwnTokenTaken()
    {
        var tenant = new string('租', 200);
        var kind = ViewResumeToken.FeatureKind(new string('功', 200));
        var token = ViewResumeToken.Encode(tenant, kind, new ViewVersion(1, [Version((0, 1)), Version((0, 1))]));

        Assert.NotNull(ViewResumeToken.Decode(token, tenant, kind, grains: 2, partitions: 1));
    }

    private static ReceiverVersion Version(params (int Partition, long Count)[] counts) =>
        ReceiverVersion.Of(counts.ToDictionary(s => s.Partition, s => s.Count));
}

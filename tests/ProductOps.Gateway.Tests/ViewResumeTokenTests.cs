using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Query;

namespace ProductOps.Gateway.Tests;

public sealed class ViewResumeTokenTests
{
    private static readonly ViewVersion Read = new(42, [Version((0, 5), (31, 9)), null]);

    [Fact]
    public void Decode_ATokenItIssued_TheVersionItNamed()
    {
        var kind = ViewResumeToken.FeatureKind("search|export"); // a feature id may hold '|'

        var decoded = ViewResumeToken.Decode(ViewResumeToken.Encode("acme", kind, Read), "acme", kind)!;

        Assert.Equal(42, decoded.EventsAllTime);
        Assert.Equal([Version((0, 5), (31, 9)), null], decoded.Grains);
        Assert.Null(ViewResumeToken.Decode(string.Empty, "acme", kind));
    }

    [Fact]
    public void Decode_AnEmptyGrainVersion_KnownAndEmpty()
    {
        var token = ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, new ViewVersion(0, [Version()]));

        var grain = ViewResumeToken.Decode(token, "acme", ViewResumeToken.OverviewKind)!.Grains.Single();

        Assert.True(grain!.IsKnown);
        Assert.Equal(string.Empty, grain.ToString());
    }

    [Theory]
    [InlineData("globex", "overview", "is from another tenant's watch")]
    [InlineData("acme", "feature:search", "is from a watch of another view")]
    public void Decode_AnotherTenantsOrViewsToken_RefusedNamingTheField(string tenant, string kind, string reason)
    {
        var token = ViewResumeToken.Encode("acme", ViewResumeToken.OverviewKind, Read);

        var refused = Assert.Throws<RequestValidationException>(() => ViewResumeToken.Decode(token, tenant, kind));

        Assert.Equal(("resume_token", reason), (refused.Failure.Field, refused.Failure.Reason));
    }

    [Theory]
    [InlineData("not a token")]
    [InlineData("MXwxMHwwOjU")] // "1|10|0:5": no tenant or view
    [InlineData("MnwxMHwwOjV8YWNtZR9vdmVydmlldw")] // "2|10|0:5|acme\u001foverview": a version this service never issued
    public void Decode_NotATokenItIssued_RefusedNamingTheField(string token)
    {
        var refused = Assert.Throws<RequestValidationException>(() => ViewResumeToken.Decode(token, "acme", ViewResumeToken.OverviewKind));

        Assert.Equal("resume_token", refused.Failure.Field);
    }

    [Fact]
    public void Decode_PartitionsOutOfOrderOrNotNumbers_Refused()
    {
        foreach (var grains in new[] { "5:1 0:2", "a:1", "0:-1", "0:1 0:2" })
        {
            var token = OpaqueToken.Encode("1", "10", grains, "acme\u001foverview");
            Assert.Throws<RequestValidationException>(() => ViewResumeToken.Decode(token, "acme", ViewResumeToken.OverviewKind));
        }
    }

    private static ReceiverVersion Version(params (int Partition, long Seq)[] seqs) =>
        ReceiverVersion.Of(seqs.ToDictionary(s => s.Partition, s => s.Seq));
}

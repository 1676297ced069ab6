using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>The dispatch's references, built from a tenant and a subject without the key string,
/// name the very grains the gateway's <c>GetGrain(GrainKeys.For(...))</c> does.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Theory]
    [InlineData("acme", "user-1")]
    [InlineData("acme", "")]
    [InlineData("t", "a/b/c")] // a subject may hold slashes: only the first one splits the key
    [InlineData("ünïcødé", "用户-✓")]
    public void TenantAndSubject_NameTheGrainOfTheJoinedKey(string tenant, string subject)
    {
        var grains = fixture.Cluster.Client;

        var user = GrainReferences.Get<IUserGrain>(grains, tenant, subject);
        var feature = GrainReferences.Get<IFeatureGrain>(grains, tenant, subject);

        Assert.Equal(grains.GetGrain<IUserGrain>(GrainKeys.For(tenant, subject)).GetGrainId(), user.GetGrainId());
        Assert.Equal(grains.GetGrain<IFeatureGrain>(GrainKeys.For(tenant, subject)).GetGrainId(), feature.GetGrainId());
        Assert.Equal((tenant, subject), GrainKeys.Split(user.GetPrimaryKeyString()));
    }

    [Fact]
    public void ALoneSurrogate_IsEncodedAsTheKeyStringWouldBe()
    {
        // Built here: a theory's data may be stored as UTF-8, which would replace it before the test.
        var subject = "lone-" + (char)0xD800 + "-surrogate";
        var grains = fixture.Cluster.Client;

        var user = GrainReferences.Get<IUserGrain>(grains, "acme", subject);

        Assert.Equal(grains.GetGrain<IUserGrain>(GrainKeys.For("acme", subject)).GetGrainId(), user.GetGrainId());
        Assert.Equal("acme/lone-\ufffd-surrogate", user.GetPrimaryKeyString());
    }
}

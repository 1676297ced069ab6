using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ProductOps.Domain;

namespace ProductOps.Storage.Tests;

/// <summary>Stored snapshots keep their sets readable across the change from a list to a bare array.</summary>
public sealed class SortedIntSetSerializationTests : IDisposable
{
    // Serialized by the build before the change (850c31d), whose sets held a List<int>.
    private const string ListSetOf_Minus3_0_5_9 = "ICAACQELAAEAFQAl4OA=";
    private const string ListFeatureUsageWithHours_489600_489612 = "IAANASIDAUIGISAABQEEiHcAxIh34ODg";
    private const string ListEmptySet = "ICDg4A==";

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Deserialize_SetWrittenAsAList_SameMembersAndStillSorted()
    {
        var set = Serializer.Deserialize<SortedIntSet>(Convert.FromBase64String(ListSetOf_Minus3_0_5_9))!;

        Assert.Equal([-3, 0, 5, 9], set.Items.ToArray());
        Assert.True(set.Add(4));
        Assert.Equal([-3, 0, 4, 5, 9], set.Items.ToArray());
    }

    [Fact]
    public void Deserialize_FeatureUsageWrittenWithAListSet_KeepsItsHours()
    {
        var usage = Serializer.Deserialize<FeatureUsage>(Convert.FromBase64String(ListFeatureUsageWithHours_489600_489612))!;

        Assert.Equal(3, usage.Count);
        Assert.Equal([489600, 489612], usage.Hours.Items.ToArray());
    }

    [Fact]
    public void Deserialize_EmptySetWrittenAsAList_Empty()
    {
        var set = Serializer.Deserialize<SortedIntSet>(Convert.FromBase64String(ListEmptySet))!;

        Assert.Equal(0, set.Count);
        Assert.True(set.Add(1));
    }

    [Fact]
    public void RoundTrip_GrownSet_ExactlyItsMembers()
    {
        var set = new SortedIntSet();
        for (var v = 20; v > 0; v -= 3)
        {
            set.Add(v); // capacity runs ahead of the count
        }

        var copy = Serializer.Deserialize<SortedIntSet>(Serializer.SerializeToArray(set))!;

        Assert.Equal(set.Items.ToArray(), copy.Items.ToArray());
        Assert.Equal(7, copy.Count);
    }
}

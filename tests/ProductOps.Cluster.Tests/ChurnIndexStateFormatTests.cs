using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ProductOps.Grains;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>
/// An at-risk index shard's stored form. <see cref="EntryObjectsForm"/> was written by the node
/// before the packed form (the lines as a dictionary of objects): <see cref="GoldenLines"/> in a
/// new <c>ChurnIndexState</c>, serialized, base64. A node must still read it, and write only the
/// packed form from then on.
/// </summary>
public sealed class ChurnIndexStateFormatTests : IDisposable
{
    private const string EntryObjectsForm =
        "ICAwATEs1C4dU3RyaW5nQ29tcGFyZXIAAwEB4AEHQQ11c2VyLTEg6MAPIehghetRPwENASAAuWy/yTEBw9luPk1SZWFkT25seUxp" +
        "c3RJbnRlcmZhY2VDb2RlY2AxW1tzdHJpbmddXQAFQS9ubyBhY3Rpdml0eSBmb3IgMTIgZGF5c0AzMiBlcnJvcnMgaW4gdGhlIGxh" +
        "c3Qgd2Vla+DgOQUABUENc2VhcmNoQA1leHBvcnTg4EANdXNlci0yIOjALcEBOQUAA8Ep4OBAD3Vzw6lyLTMg6MA7IehgzcxMPQEN" +
        "ASBQfG2/ySk14ODJNUng4OA=";

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Deserialize_EntryObjectsForm_EveryLine()
    {
        var stored = Read(Convert.FromBase64String(EntryObjectsForm));

        AssertSameLines(GoldenLines(), stored);
    }

    [Fact]
    public void Serialize_ReadFromEntryObjectsForm_WritesThePackedFormOnly()
    {
        var legacy = Convert.FromBase64String(EntryObjectsForm);
        var rewritten = Serializer.SerializeToArray(Read(legacy));

        AssertSameLines(GoldenLines(), Read(rewritten));
        var text = System.Text.Encoding.UTF8.GetString(rewritten);
        Assert.DoesNotContain("ReadOnlyListInterfaceCodec", text, StringComparison.Ordinal); // a codec name the object form writes
    }

    [Fact]
    public void RoundTrip_ManyUsers_SameLinesWithSharedFeatureNames()
    {
        var lines = ManyLines(5_000);

        var stored = Read(Serializer.SerializeToArray(StateOf(lines)));

        AssertSameLines(lines, stored);
        var usersOfSearch = stored.Users.Values.Where(e => e.Features.Contains("feature_3")).ToList();
        Assert.True(usersOfSearch.Count > 1);
        Assert.All(usersOfSearch, e => Assert.Same(usersOfSearch[0].Features.First(f => f == "feature_3"), e.Features.First(f => f == "feature_3")));
    }

    /// <summary>Lines with the threshold they were judged with, and users who cancelled, survive
    /// a write and a read.</summary>
    [Fact]
    public void RoundTrip_JudgedThresholdsAndCancellations_SameLines()
    {
        List<ChurnIndexEntry> lines =
        [
            new("user-1", new ChurnRisk(0.82f, 3, 1_733_000_000_000, ["no activity for 12 days"]), ["search"], 0.7),
            new("user-2", null, ["search", "export"], CancelledAtMs: 1_733_000_050_000),
            new("user-3", new ChurnRisk(0.4f, 3, 1_733_000_000_000, []), [], 0.30000000000000004),
            new("user-4", null, []),
        ];

        var stored = Read(Serializer.SerializeToArray(StateOf(lines)));

        AssertSameLines(lines, stored);
    }

    /// <summary>Shards packed before lines carried a threshold or a cancellation (format 0: a
    /// has-score bool where the flags are now, no threshold after the reasons) still read, as
    /// lines recorded before thresholds were (0).</summary>
    [Fact]
    public void Unpack_Format0Lines_ReadWithoutThresholdOrCancellation()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write("user-1");
            writer.Write(true);
            writer.Write(0.82f);
            writer.Write7BitEncodedInt(3);
            writer.Write7BitEncodedInt64(1_733_000_000_000);
            writer.Write7BitEncodedInt(1);
            writer.Write("no activity for 12 days");
            writer.Write7BitEncodedInt(1);
            writer.Write7BitEncodedInt(0);
            writer.Write("user-2");
            writer.Write(false);
            writer.Write7BitEncodedInt(0);
        }

        var users = new Dictionary<string, ChurnIndexEntry>(StringComparer.Ordinal);
        new ChurnIndexPack { Features = ["search"], Chunks = [buffer.ToArray()] }.UnpackInto(users);

        AssertSameLines(
        [
            new("user-1", new ChurnRisk(0.82f, 3, 1_733_000_000_000, ["no activity for 12 days"]), ["search"]),
            new("user-2", null, []),
        ], StateOf(users.Values));
        Assert.True(users["user-1"].JudgedAtRisk); // explained, so it was judged at risk
    }

    [Fact]
    public void RoundTrip_Empty_Empty()
    {
        var stored = Read(Serializer.SerializeToArray(new ChurnIndexState()));

        Assert.Empty(stored.Users);
        Assert.Empty(stored.PendingCrossings);
        Assert.Equal(0, stored.DroppedCrossings);
    }

    /// <summary>Crossings the feed had not taken are stored packed with the lines, and come back
    /// whole, in order, with their previous probabilities (none stays none).</summary>
    [Fact]
    public void RoundTrip_PendingCrossings_SameCrossingsInOrder()
    {
        var lines = GoldenLines();
        var state = StateOf(lines);
        state.PendingCrossings.AddRange([new AtRiskCrossing(lines[0], 0.12f), new AtRiskCrossing(lines[2], null)]);
        state.DroppedCrossings = 7;

        var stored = Read(Serializer.SerializeToArray(state));

        Assert.Equal([lines[0].UserId, lines[2].UserId], stored.PendingCrossings.Select(c => c.User.UserId));
        Assert.Equal([0.12f, null], stored.PendingCrossings.Select(c => c.PreviousProbability));
        AssertSameLines([lines[0], lines[2]], StateOf(stored.PendingCrossings.Select(c => c.User)));
        Assert.Equal(7, stored.DroppedCrossings);
    }

    /// <summary>The point of the packed form: a large shard is a handful of objects, none of
    /// them on the large object heap (85,000 bytes and up).</summary>
    [Fact]
    public void Pack_LargeShard_ChunksBelowTheLargeObjectSize()
    {
        var pack = ChurnIndexPack.Pack(ManyLines(30_000));

        Assert.True(pack.Chunks.Count > 1, $"{pack.Chunks.Count} chunk(s)");
        Assert.All(pack.Chunks, chunk => Assert.InRange(chunk.Length, 1, 84_999));
        Assert.Equal(40, pack.Features.Length);
        Assert.Equal(pack.Features.Length, pack.Features.Distinct(StringComparer.Ordinal).Count());
    }

    private ChurnIndexState Read(byte[] stored) =>
        Serializer.Deserialize<ChurnIndexState>(stored) ?? throw new InvalidOperationException("no state");

    private static List<ChurnIndexEntry> GoldenLines() =>
    [
        new("user-1", new ChurnRisk(0.82f, 3, 1_733_000_000_000, ["no activity for 12 days", "2 errors in the last week"]), ["search", "export"]),
        new("user-2", null, ["search"]),
        new("usér-3", new ChurnRisk(0.05f, 3, 1_733_000_100_000, []), []),
    ];

    /// <summary>Users with and without a score, reasons, and 0 to 6 of 40 features.</summary>
    private static List<ChurnIndexEntry> ManyLines(int count)
    {
        var random = new Random(5);
        return [.. Enumerable.Range(0, count).Select(i => new ChurnIndexEntry(
            $"user-{i}-é",
            i % 7 == 0 ? null : new ChurnRisk((float)random.NextDouble(), 1 + (i % 3), 1_733_000_000_000 + i, [.. Enumerable.Range(0, i % 4).Select(r => $"reason {r} of {i}")]),
            [.. Enumerable.Range(0, random.Next(0, 7)).Select(_ => $"feature_{random.Next(40)}").Distinct()]))];
    }

    private static ChurnIndexState StateOf(IEnumerable<ChurnIndexEntry> lines)
    {
        var state = new ChurnIndexState();
        foreach (var line in lines)
        {
            state.Users[line.UserId] = line;
        }

        return state;
    }

    private static void AssertSameLines(IEnumerable<ChurnIndexEntry> expected, ChurnIndexState stored)
    {
        Assert.Equal(expected.Select(Describe).Order(StringComparer.Ordinal), stored.Users.Values.Select(Describe).Order(StringComparer.Ordinal));
        Assert.All(stored.Users, kv => Assert.Equal(kv.Key, kv.Value.UserId));
    }

    private static string Describe(ChurnIndexEntry e) =>
        $"{e.UserId} | {e.Risk?.Probability:R} {e.Risk?.ModelVersion} {e.Risk?.ScoredAtMs} [{string.Join("; ", e.Risk?.Reasons ?? [])}] | {string.Join(",", e.Features)} | {e.AlertThreshold:R} {e.CancelledAtMs}";
}

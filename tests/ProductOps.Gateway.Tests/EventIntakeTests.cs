using Google.Protobuf;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Ingest;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>The intake's own work (event sizes from the wire, shared strings), without a node:
/// the node tests check the rules themselves over gRPC.</summary>
public sealed class EventIntakeTests
{
    private static readonly DateTimeOffset At = DateTimeOffset.UtcNow.AddMinutes(-5);

    private readonly EventIntake _intake = new(Options.Create(new IngestLimits()), TimeProvider.System);

    [Fact]
    public void Accept_OneEventOverTheLimitAmongManySmallOnes_RejectsItWithItsExactSize()
    {
        var request = new TrackRequest { BatchId = "b" };
        request.Events.AddRange(Usage("size", users: 50, ["search", "export"], count: 999, seed: 7, At));
        var big = WithProperty(Event("size-u1", "size-big", "feature_used", At), "blob", new string('z', 32 * 1024));
        request.Events.Insert(500, big);

        var result = _intake.Accept("acme", request.ToByteArray());

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((500, "event"), (rejected.Index, rejected.Field));
        Assert.Equal($"is {big.CalculateSize()} bytes encoded; at most {32 * 1024} are allowed", rejected.Reason);
        Assert.Equal(999, result.Accepted.Count);
    }

    [Fact]
    public void Accept_RepeatedNamesFeaturesAndPropertyKeys_SharesOneInstanceOfEach()
    {
        // Distinct instances, as a client would hold them.
        string Copy(string text) => new(text.AsSpan());
        var request = new TrackRequest();
        for (var i = 0; i < 3; i++)
        {
            request.Events.Add(WithProperty(Event($"u{i}", $"e{i}", Copy("feature_used"), At, Copy("search")), Copy("source"), "menu"));
        }

        var accepted = _intake.Accept("acme", request.ToByteArray()).Accepted;

        Assert.All(accepted, e => Assert.Same(accepted[0].Name, e.Name));
        Assert.All(accepted, e => Assert.Same(accepted[0].Feature, e.Feature));
        Assert.All(accepted, e => Assert.Same(accepted[0].Properties!.Keys.Single(), e.Properties!.Keys.Single()));
        Assert.Equal(("feature_used", "search", "source"), (accepted[2].Name, accepted[2].Feature, accepted[2].Properties!.Keys.Single()));
    }
}

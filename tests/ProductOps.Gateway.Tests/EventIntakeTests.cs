using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Ingest;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>The intake's shortcuts (event sizes bounded from the request's),
/// without a node: the node tests check the rules themselves over gRPC.</summary>
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

        var result = _intake.Accept("acme", request);

        var rejected = Assert.Single(result.Rejected);
        Assert.Equal((500, "event"), (rejected.Index, rejected.Field));
        Assert.Equal($"is {big.CalculateSize()} bytes encoded; at most {32 * 1024} are allowed", rejected.Reason);
        Assert.Equal(999, result.Accepted.Count);
    }
}

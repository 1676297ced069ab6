using Grpc.Core;
using ProductOps.Contracts.V1;
using static ProductOps.Gateway.Tests.FailingGateway;

namespace ProductOps.Gateway.Tests;

/// <summary>What a call that failed in the cluster, or for no planned reason, tells its caller to
/// do: only ingest calls carry event ids and acknowledge anything; a read is simply called again;
/// an admin change may have been applied, and says how to tell.</summary>
public sealed class FailureWordingTests(FailingGateway gateway) : IClassFixture<FailingGateway>
{
    [Theory]
    [InlineData("QueryService", "GetOverview", ClusterGone, StatusCode.Unavailable, "the cluster is briefly unavailable; retry")]
    [InlineData("QueryService", "GetOverview", Bug, StatusCode.Internal, "internal error")]
    [InlineData("QueryService", "GetUser", LogUnreadable, StatusCode.Unavailable, "the event log is unavailable: partition 3's log file: the file is corrupt; retry")]
    [InlineData("AdminService", "GetTenantSettings", ClusterGone, StatusCode.Unavailable, "the cluster is briefly unavailable; retry")]
    [InlineData("AdminService", "GetTenantSettings", Bug, StatusCode.Internal, "internal error")]
    [InlineData("IngestService", "Track", ClusterGone, StatusCode.Unavailable, "the cluster is briefly unavailable; retry with the same event ids")]
    [InlineData("IngestService", "Track", Bug, StatusCode.Internal, "internal error; nothing from this request was acknowledged")]
    [InlineData("IngestService", "Identify", ClusterGone, StatusCode.Unavailable, "the cluster is briefly unavailable; retry with the same event ids")]
    [InlineData("IngestService", "Identify", Bug, StatusCode.Internal, "internal error; nothing from this request was acknowledged")]
    public async Task UnaryCall_Fails_WordedForTheCall(string service, string method, string failure, StatusCode code, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(gateway.Channel, service, method, [], Failing(failure)));

        Assert.Equal((code, expected), (error.StatusCode, error.Status.Detail));
    }

    [Theory]
    [InlineData(ClusterGone, StatusCode.Unavailable, "the cluster is briefly unavailable; retry")]
    [InlineData(Bug, StatusCode.Internal, "internal error")]
    public async Task ExportPredictions_Fails_WordedAsARead(string failure, StatusCode code, string expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            RawCalls.ServerStreamingFirstAsync(gateway.Channel, "QueryService", "ExportPredictions", [], Failing(failure)));

        Assert.Equal((code, expected), (error.StatusCode, error.Status.Detail));
    }

    [Fact]
    public async Task TrackStream_ClusterGone_UnavailableSaysRetryWithTheSameEventIds()
    {
        using var call = new IngestService.IngestServiceClient(gateway.Channel).TrackStream(Failing(ClusterGone));

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(
            (StatusCode.Unavailable, "the cluster is briefly unavailable; retry with the same event ids"),
            (error.StatusCode, error.Status.Detail));
    }

    [Theory]
    [InlineData("UpdateTenantSettings", "the update may or may not have been applied: read GetTenantSettings before sending it again")]
    [InlineData("TrainModel", "a training job may or may not have started: read GetTrainingJob before calling again")]
    [InlineData("ActivateModel", "the version may or may not have been activated: call again with the same version, which is safe")]
    public async Task AdminChange_Fails_SaysItMayHaveAppliedAndWhatToDo(string method, string advice)
    {
        var unavailable = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(gateway.Channel, "AdminService", method, [], Failing(ClusterGone)));
        var unexpected = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(gateway.Channel, "AdminService", method, [], Failing(Bug)));

        Assert.Equal((StatusCode.Unavailable, $"the cluster is briefly unavailable; {advice}"), (unavailable.StatusCode, unavailable.Status.Detail));
        Assert.Equal((StatusCode.Internal, $"internal error; {advice}"), (unexpected.StatusCode, unexpected.Status.Detail));
    }
}

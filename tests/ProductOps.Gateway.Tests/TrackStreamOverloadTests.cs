using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Testing;
using static ProductOps.Gateway.Tests.EventFactory;

namespace ProductOps.Gateway.Tests;

/// <summary>TrackStream callers that send faster than the gateway takes their batches, on a node of
/// its own whose in-flight bound is tiny, so most batches are refused.</summary>
public sealed class TrackStreamOverloadTests
{
    [Fact]
    public async Task TrackStream_BatchRefusedWhileTheWindowIsFull_CallEndsResourceExhaustedRatherThanStalling()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Gateway:MaxInFlightEvents"] = "10",
            ["ProductOps:Gateway:MaxInFlightSharePerTenant"] = "1",
        });

        // Each caller fills its window (64 batches) at once: the second batch is refused while the
        // first commits, and when the refusal's turn to be answered comes, the gateway's reader of
        // the caller's requests is most often waiting for room in the full window. A caller whose
        // every batch happened to find room (a starved sender) ends its stream and gets every answer.
        var refused = 0;
        for (var caller = 0; caller < 20; caller++)
        {
            var prefix = Prefix($"flood{caller}");
            using var stream = node.Ingest.TrackStream(DemoTenant.Ingest);
            var sending = Task.Run(async () =>
            {
                foreach (var batch in Batches(Usage(prefix, users: 5, [$"{prefix}-f"], count: 2_000, seed: caller, DateTimeOffset.UtcNow), 10, prefix))
                {
                    await stream.RequestStream.WriteAsync(batch);
                }

                await stream.RequestStream.CompleteAsync();
            });

            using var patience = new CancellationTokenSource(Polling.DefaultTimeout);
            var error = await Record.ExceptionAsync(async () =>
            {
                while (await stream.ResponseStream.MoveNext(patience.Token))
                {
                }
            });

            if (error is not null)
            {
                // A stall shows as the test's own patience running out (Cancelled).
                Assert.True(error is RpcException { StatusCode: StatusCode.ResourceExhausted }, $"caller {caller}: {error.Message}");
                refused++;
            }

            await Record.ExceptionAsync(() => sending.WaitAsync(Polling.DefaultTimeout)); // its writes end with the call
        }

        Assert.True(refused >= 5, $"only {refused} of 20 callers had a batch refused: the window was never full");
    }
}

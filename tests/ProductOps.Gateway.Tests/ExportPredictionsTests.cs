using System.Text.RegularExpressions;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>ExportPredictions with callers that go away or stop reading, on a node of its own whose
/// users all cancelled (an export sends each of them, no model needed), so its log shows only this
/// test's calls.</summary>
public sealed class ExportPredictionsTests
{
    private const int Users = 8_000;

    [Fact]
    public async Task ExportPredictions_CallersCancelMidExport_EndedAsCancelledWithoutAnError()
    {
        using var data = new TempDirectory();
        await using var node = await SiloProcess.StartAsync(data.Path, settings: new Dictionary<string, string>
        {
            ["ProductOps:Churn:RescoreDelay"] = "00:00:00.200",
        });
        await CancelledUsers.CreateAsync(node, Users);

        const int Callers = 20;
        for (var caller = 0; caller < Callers; caller++)
        {
            using var cancel = new CancellationTokenSource();
            using var export = node.Query.ExportPredictions(new ExportPredictionsRequest(), DemoTenant.Read, cancellationToken: cancel.Token);
            for (var read = 0; read <= 100 * caller; read++) // the export is under way: more than the windows hold is left
            {
                Assert.True(await export.ResponseStream.MoveNext(CancellationToken.None));
            }

            await cancel.CancelAsync();
        }

        // The node logs how each call ended: as Cancelled, or, for a write that failed under a
        // caller gone away, as an unexpected failure (an error with its stack, answered Internal).
        int Count(string pattern) => Regex.Count(node.FullOutput, pattern);
        await Polling.Until(() => Count("the call was cancelled") + Count("ExportPredictions failed") >= Callers, Polling.DefaultTimeout, () => node.Output);
        Assert.Equal(0, Count("ExportPredictions failed"));
        Assert.Equal(Callers, Count("the call was cancelled"));
    }
}

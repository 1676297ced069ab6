using System.Diagnostics;
using Grpc.Core;
using Xunit.Sdk;

namespace ProductOps.Gateway.Tests;

/// <summary>Waits for conditions that become true asynchronously (aggregates are updated after
/// the ack): retries an assertion until it passes or a bounded timeout runs out.</summary>
public static class Polling
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Runs <paramref name="assertion"/> until it stops failing; after
    /// <paramref name="timeout"/>, fails with its last failure.</summary>
    public static async Task Eventually(Func<Task> assertion, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        await Eventually(async () =>
        {
            await assertion();
            return true;
        }, timeout, diagnostics);
    }

    /// <summary>Runs <paramref name="probe"/> until it stops failing and returns its result.</summary>
    public static async Task<T> Eventually<T>(Func<Task<T>> probe, TimeSpan timeout, Func<string>? diagnostics = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await probe();
            }
            catch (Exception e) when ((e is XunitException or RpcException) && started.Elapsed < timeout)
            {
                // not yet: the aggregates are still catching up
            }
            catch (Exception e) when (e is XunitException or RpcException)
            {
                var context = diagnostics is null ? string.Empty : Environment.NewLine + diagnostics();
                throw new XunitException($"Still failing after {timeout.TotalSeconds:0.#} s: {e.Message}{context}", e);
            }

            await Task.Delay(Interval);
        }
    }
}

using System.Diagnostics;
using Grpc.Core;
using Xunit.Sdk;

namespace ProductOps.Testing;

/// <summary>Waits for conditions that become true asynchronously (aggregates are updated after
/// the ack, timers fire later): retries an assertion until it passes, or a condition until it
/// holds, and fails when a bounded timeout runs out.</summary>
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

    /// <summary>Checks <paramref name="condition"/> until it holds; after <paramref name="timeout"/>,
    /// fails with <paramref name="describe"/>'s account of where things stand.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(condition);
        await Until(() => Task.FromResult(condition()), timeout, describe);
    }

    /// <inheritdoc cref="Until(Func{bool}, TimeSpan, Func{string})"/>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(describe);
        var started = Stopwatch.StartNew();
        while (!await condition())
        {
            if (started.Elapsed >= timeout)
            {
                throw new XunitException($"Not so after {timeout.TotalSeconds:0.#} s: {describe()}");
            }

            await Task.Delay(Interval);
        }
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

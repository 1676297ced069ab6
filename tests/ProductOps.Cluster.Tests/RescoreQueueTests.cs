using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ProductOps.Grains;
using ProductOps.Testing;

namespace ProductOps.Cluster.Tests;

/// <summary>The silo's queue of due rescorings, with its call back replaced by a recorder.</summary>
public sealed class RescoreQueueTests
{
    [Fact]
    public async Task Add_CallsBackOnceTheDelayHasPassed_InOrder()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var calls = new ConcurrentQueue<(string User, TimeSpan At)>();
        var clock = Stopwatch.StartNew();
        await using var queue = await StartAsync(delay, user =>
        {
            calls.Enqueue((user, clock.Elapsed));
            return Task.CompletedTask;
        });

        queue.Add("t/a");
        queue.Add("t/b");

        await Polling.Until(() => calls.Count == 2, TimeSpan.FromSeconds(10), () => $"{calls.Count} call backs");
        Assert.Equal(["t/a", "t/b"], calls.Select(c => c.User));
        Assert.All(calls, c => Assert.True(c.At >= delay, $"called back after {c.At}"));
    }

    [Fact]
    public async Task CallBackFails_TriedAgainAfterTheDelay_UntilItSucceeds()
    {
        var attempts = 0;
        var markers = new ConcurrentQueue<string>();
        await using var queue = await StartAsync(TimeSpan.FromMilliseconds(10), user =>
            IsMarker(user, markers) || Interlocked.Increment(ref attempts) > 2
                ? Task.CompletedTask
                : Task.FromException(new TimeoutException("busy")));

        queue.Add("t/a");

        await Polling.Until(() => Volatile.Read(ref attempts) == 3, TimeSpan.FromSeconds(10), () => $"{attempts} attempts");
        await DrainAsync(queue, markers); // a success is not called again
        Assert.Equal(3, Volatile.Read(ref attempts));
        Assert.Equal(0, queue.GiveUps);
    }

    [Fact]
    public async Task CallBackAlwaysFails_GivesUpAfterTheRetries()
    {
        var attempts = 0;
        var markers = new ConcurrentQueue<string>();
        await using var queue = await StartAsync(TimeSpan.FromMilliseconds(10), user =>
        {
            if (IsMarker(user, markers))
            {
                return Task.CompletedTask;
            }

            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException("activation failed");
        });

        queue.Add("t/a");

        await Polling.Until(
            () => Volatile.Read(ref attempts) == 1 + RescoreQueue.MaxRetries,
            TimeSpan.FromSeconds(10),
            () => $"{attempts} attempts");
        await DrainAsync(queue, markers);
        Assert.Equal(1 + RescoreQueue.MaxRetries, Volatile.Read(ref attempts));
        Assert.Equal(1, queue.GiveUps); // what tells the user it may schedule again
    }

    /// <summary>Records a marker's call back; false for any other user.</summary>
    private static bool IsMarker(string user, ConcurrentQueue<string> markers)
    {
        if (!user.StartsWith("marker/", StringComparison.Ordinal))
        {
            return false;
        }

        markers.Enqueue(user);
        return true;
    }

    /// <summary>Waits until everything queued so far has been called: entries fall due in the
    /// order they were added, so once a marker added after them is called back, so were they. Two
    /// markers: a retry queued while the first was being added is behind the second.</summary>
    private static async Task DrainAsync(RunningQueue queue, ConcurrentQueue<string> markers)
    {
        foreach (var marker in new[] { "marker/1", "marker/2" })
        {
            queue.Add(marker);
            await Polling.Until(() => markers.Contains(marker), TimeSpan.FromSeconds(10), () => $"{marker} not called back");
        }
    }

    private static async Task<RunningQueue> StartAsync(TimeSpan delay, Func<string, Task> callBack)
    {
        var queue = new RescoreQueue(user => callBack(user.Key.ToString()!), Options.Create(new ChurnOptions { RescoreDelay = delay }), TimeProvider.System, NullLogger<RescoreQueue>.Instance);
        await queue.StartAsync(CancellationToken.None);
        return new RunningQueue(queue);
    }

    /// <summary>Stops the queue's loop when the test ends.</summary>
    private sealed class RunningQueue(RescoreQueue queue) : IAsyncDisposable
    {
        public int GiveUps => queue.GiveUps;

        public void Add(string userKey) => queue.Add(GrainId.Create("user", userKey));

        public async ValueTask DisposeAsync()
        {
            await queue.StopAsync(CancellationToken.None);
            queue.Dispose();
        }
    }
}

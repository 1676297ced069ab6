using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;
using ProductOps.Gateway.Query;

namespace ProductOps.Gateway.Tests;

/// <summary>The view watch's loop, stepped check by check: what it sends, and when it keeps quiet.</summary>
public sealed class ViewWatchTests
{
    [Fact]
    public async Task RunAsync_ChecksWithTheSameNumbers_SendsOnlyChangesAndTheHeartbeat()
    {
        long? events = 10;
        using var watch = new SteppedFeatureWatch(() => events);

        await watch.FirstReadAsync();
        await watch.CheckAsync(TimeSpan.FromSeconds(1), times: 5); // five checks of the same numbers
        events = 12;
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        await watch.CheckAsync(ViewWatch.Heartbeat); // a minute with nothing new
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 12, 12], await watch.StopAsync());
    }

    [Fact]
    public async Task RunAsync_IntervalLongerThanHalfAMinute_StillSendsAtLeastOnceAMinute()
    {
        var clock = new SteppedClock();
        var reads = new SemaphoreSlim(0);
        var checks = new SemaphoreSlim(0);
        var sentAt = new List<DateTimeOffset>();
        using var stop = new CancellationTokenSource();
        var watch = ViewWatch.RunAsync(
            () =>
            {
                reads.Release();
                return Task.FromResult(Versioned(new FeatureView { Feature = "search", EventsAllTime = 10 })); // nothing ever changes
            },
            ViewChanges.OfFeature,
            (view, _) =>
            {
                sentAt.Add(clock.GetUtcNow());
                return Task.CompletedTask;
            },
            TimeSpan.FromSeconds(45),
            (delay, token) =>
            {
                clock.Advance(delay); // the wait the watch asks for, passed at once
                return checks.WaitAsync(token);
            },
            clock,
            stop.Token);

        await ReadAsync(reads); // the first view
        await CheckAsync(reads, checks, times: 4, clock, TimeSpan.Zero);
        stop.Cancel();
        checks.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watch);
        var gaps = sentAt.Zip(sentAt.Skip(1), (earlier, later) => later - earlier).Append(clock.GetUtcNow() - sentAt[^1]);
        Assert.All(gaps, gap => Assert.True(gap <= ViewWatch.Heartbeat, $"a gap of {gap.TotalSeconds} s between views"));
    }

    /// <summary>After a silo crash a feature's grain comes back with its last flushed state (or none
    /// at all) until its partitions send it the rest again: the watch holds those views back rather
    /// than take the caller's figures back, and sends again once the view has caught up.</summary>
    [Fact]
    public async Task RunAsync_ViewsBehindTheOneSent_HeldBackUntilCaughtUp()
    {
        long? events = 10; // null: the grain answers NotFound (it had flushed nothing)
        using var watch = new SteppedFeatureWatch(() => events);

        await watch.FirstReadAsync(); // 10, sent
        events = 14;
        await watch.CheckAsync(TimeSpan.FromSeconds(1)); // 14, sent
        events = null;
        await watch.CheckAsync(TimeSpan.FromSeconds(1)); // the grain came back empty
        events = 11;
        await watch.CheckAsync(TimeSpan.FromSeconds(1)); // its last flushed state
        events = 14;
        await watch.CheckAsync(TimeSpan.FromSeconds(1)); // caught up: nothing new
        events = 15;
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 14, 15], await watch.StopAsync());
    }

    /// <summary>After a silo crash a feature's events of all time can pass the last view's (new
    /// events from one partition) while its grain still lacks what another partition had sent it
    /// (its daily series, its users): the grain's version tells, and the view waits until every
    /// partition has sent the rest again.</summary>
    [Fact]
    public async Task RunAsync_MoreEventsButAPartitionBehind_HeldBackUntilEveryPartitionCaughtUp()
    {
        var read = new FeatureRead(10, 0, (0, 5), (1, 5)); // events from two partitions
        using var watch = new SteppedFeatureWatch(() => read);

        await watch.FirstReadAsync(); // sent
        read = new FeatureRead(12, 1, (0, 7), (1, 3)); // partition 1 has not sent its last events again yet
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        read = new FeatureRead(14, 2, (0, 7), (1, 5)); // and now has
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 14], await watch.StopAsync());
    }

    /// <summary>A silo of an earlier build sends no version: the watch compares events of all time
    /// alone, as it did.</summary>
    [Fact]
    public async Task RunAsync_ViewsWithoutVersions_ComparedByEventsOfAllTime()
    {
        var read = new FeatureRead(10, 0, (0, 5), (1, 5));
        using var watch = new SteppedFeatureWatch(() => read);

        await watch.FirstReadAsync();
        read = new FeatureRead(12, 1) { Unversioned = true };
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        read = new FeatureRead(9, 2) { Unversioned = true };
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 12], await watch.StopAsync());
    }

    /// <summary>One view from an older silo (during a rolling upgrade) leaves the comparison with
    /// the last version known for that grain, rather than none for the rest of the watch.</summary>
    [Fact]
    public async Task RunAsync_AViewWithoutVersionThenOneBehindTheLastKnown_HeldBack()
    {
        var read = new FeatureRead(10, 0, (0, 5), (1, 5));
        using var watch = new SteppedFeatureWatch(() => read);

        await watch.FirstReadAsync();
        read = new FeatureRead(12, 1) { Unversioned = true }; // sent: more events
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        read = new FeatureRead(14, 2, (0, 9), (1, 3)); // partition 1 behind where the first view was
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        read = new FeatureRead(15, 3, (0, 9), (1, 5));
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 12, 15], await watch.StopAsync());
    }

    /// <summary>A feature view's adoption ratios are the tenant's too: a tenant grain behind the one
    /// the last view was read from holds the view back, though the feature's grain is not.</summary>
    [Fact]
    public async Task RunAsync_TenantGrainBehind_HeldBack()
    {
        var read = new FeatureRead(10, 0, (0, 5)) { Tenant = [(0, 8), (1, 4)] };
        using var watch = new SteppedFeatureWatch(() => read);

        await watch.FirstReadAsync();
        read = new FeatureRead(11, 1, (0, 6)) { Tenant = [(0, 9)] }; // the tenant lacks partition 1's events
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        read = new FeatureRead(12, 2, (0, 7)) { Tenant = [(0, 9), (1, 4)] };
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 12], await watch.StopAsync());
    }

    /// <summary>A watch resumed from an earlier watch's last view (a dashboard reconnecting after
    /// its gateway's crash) sends nothing behind that view, its first view included, and each view
    /// goes with the version its resume token names.</summary>
    [Fact]
    public async Task RunAsync_ResumedFromAView_NothingBehindItIsSent()
    {
        FeatureRead? read = new FeatureRead(8, 0, (0, 3), (1, 5)); // the grain still catching up
        using var watch = new SteppedFeatureWatch(() => read, resumeAfter: new FeatureRead(10, 0, (0, 5), (1, 5)).ToView(DateTimeOffset.UnixEpoch).Version);

        await watch.FirstReadAsync();
        read = null; // came back empty a moment
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        read = new FeatureRead(10, 0, (0, 5), (1, 5)); // caught up
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10], await watch.StopAsync());
        Assert.Equal("0:5 1:5", watch.Versions.Single().Grains[0]!.ToString());
    }

    /// <summary>A token the data set never catches up with (it was wiped, or the token is another
    /// deployment's) holds the resumed watch for its patience, not for good: then it sends what
    /// there is.</summary>
    [Fact]
    public async Task RunAsync_ResumedFromAViewNeverCaughtUp_SendsWhatThereIsAfterThePatience()
    {
        using var watch = new SteppedFeatureWatch(() => new FeatureRead(3, 0, (0, 3)), resumeAfter: new FeatureRead(10, 0, (0, 10)).ToView(DateTimeOffset.UnixEpoch).Version);

        await watch.FirstReadAsync();
        await watch.CheckAsync(ViewWatch.ResumePatience / 2);
        await watch.CheckAsync(ViewWatch.ResumePatience / 2);

        Assert.Equal([3], await watch.StopAsync());
    }

    /// <summary>A resumed watch holding back its first view checks at its interval, not without
    /// pause: with no view sent there is no heartbeat to keep.</summary>
    [Fact]
    public async Task RunAsync_ResumedAndHeldBack_WaitsItsIntervalBetweenChecks()
    {
        using var watch = new SteppedFeatureWatch(() => new FeatureRead(3, 0, (0, 3)), resumeAfter: new FeatureRead(10, 0, (0, 10)).ToView(DateTimeOffset.UnixEpoch).Version);

        await watch.FirstReadAsync();
        await watch.CheckAsync(TimeSpan.FromSeconds(1), times: 3);

        Assert.Empty(await watch.StopAsync());
        Assert.All(watch.Waits, wait => Assert.Equal(TimeSpan.FromSeconds(1), wait));
        Assert.True(watch.Waits.Count >= 3);
    }

    /// <summary>A view held back for a minute still leaves the caller a view a minute: the last one
    /// sent, again.</summary>
    [Fact]
    public async Task RunAsync_ViewsBehindForAMinute_LastViewSentAgainAsTheHeartbeat()
    {
        long? events = 10;
        using var watch = new SteppedFeatureWatch(() => events);

        await watch.FirstReadAsync(); // 10, sent
        events = 7;
        await watch.CheckAsync(TimeSpan.FromSeconds(30));
        await watch.CheckAsync(TimeSpan.FromSeconds(30)); // a minute since 10 was sent

        Assert.Equal([10, 10], await watch.StopAsync());
    }

    /// <summary>While a silo dies, reads of the grains it held fail until the cluster declares it
    /// dead; the watch reads on through that, as WatchAtRisk does, the last view standing, rather
    /// than end a dashboard's stream.</summary>
    [Fact]
    public async Task RunAsync_ReadsFailTransientlyAfterAView_CarriesOnWithTheNextView()
    {
        long? events = 10;
        var failing = false;
        using var watch = new SteppedFeatureWatch(() => failing ? throw new TimeoutException("the silo is not answering") : new FeatureRead(events!.Value, 0));

        await watch.FirstReadAsync(); // 10, sent
        failing = true;
        await watch.CheckAsync(TimeSpan.FromSeconds(30));
        await watch.CheckAsync(TimeSpan.FromSeconds(30)); // a minute since 10 was sent: sent again
        failing = false;
        events = 12;
        await watch.CheckAsync(TimeSpan.FromSeconds(1));

        Assert.Equal([10, 10, 12], await watch.StopAsync());
    }

    /// <summary>A cluster that stays unreachable past the patience ends the watch with the failure,
    /// as it ends WatchAtRisk: the caller is told, not sent the same view for good.</summary>
    [Fact]
    public async Task RunAsync_ReadsFailTransientlyPastThePatience_EndsWithTheFailure()
    {
        var failing = false;
        using var watch = new SteppedFeatureWatch(() => failing ? throw new TimeoutException("the silo is not answering") : new FeatureRead(10, 0));

        await watch.FirstReadAsync();
        failing = true;
        await watch.CheckAsync(TimeSpan.FromSeconds(1));
        await watch.CheckAsync(ClusterFailures.OutagePatience);

        await Assert.ThrowsAsync<TimeoutException>(() => watch.Ended);
    }

    /// <summary>A watch of a feature nobody used ends NotFound at once: only a view behind one
    /// already sent is held back.</summary>
    [Fact]
    public async Task RunAsync_FirstReadNotFound_EndsTheWatch()
    {
        var watch = ViewWatch.RunAsync(
            () => Task.FromException<VersionedView<FeatureView>>(new NotFoundException("feature", "no events for feature 'search'")),
            ViewChanges.OfFeature,
            (_, _) => Task.CompletedTask,
            TimeSpan.FromSeconds(1),
            (_, _) => Task.CompletedTask,
            new SteppedClock(),
            CancellationToken.None);

        await Assert.ThrowsAsync<NotFoundException>(() => watch);
    }

    private static VersionedView<FeatureView> Versioned(FeatureView view) =>
        new(view, new ViewVersion(view.EventsAllTime, [null, null]));

    /// <summary>What a read of the feature answers: its events of all time, a figure that tells one
    /// view from another (its adopters of all time), and the feature grain's version (by partition,
    /// the seq of its last event there); the tenant grain's when <see cref="Tenant"/> is set.</summary>
    private sealed record FeatureRead(long Events, long Adopters, params (int Partition, long Seq)[] Seqs)
    {
        /// <summary>As from a silo of an earlier build: no version.</summary>
        public bool Unversioned { get; init; }

        public (int Partition, long Seq)[]? Tenant { get; init; }

        public VersionedView<FeatureView> ToView(DateTimeOffset now)
        {
            var view = new FeatureView { Feature = "search", EventsAllTime = Events, AdoptersAllTime = Adopters, AsOf = Timestamp.FromDateTimeOffset(now) };
            return new(view, new ViewVersion(Events, [Unversioned ? null : VersionOf(Seqs), Unversioned || Tenant is null ? null : VersionOf(Tenant)]));
        }

        private static ReceiverVersion VersionOf((int Partition, long Seq)[] seqs) => ReceiverVersion.Of(seqs.ToDictionary(w => w.Partition, w => w.Seq));
    }

    /// <summary>Lets <paramref name="times"/> more checks run, the clock moved by
    /// <paramref name="step"/> before each, and waits for each one's read.</summary>
    private static async Task CheckAsync(SemaphoreSlim reads, SemaphoreSlim checks, int times, SteppedClock clock, TimeSpan step)
    {
        for (var i = 0; i < times; i++)
        {
            clock.Advance(step);
            checks.Release();
            await ReadAsync(reads);
        }
    }

    private static async Task ReadAsync(SemaphoreSlim reads)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await reads.WaitAsync(patience.Token);
    }

    /// <summary>A watch of one feature at a 1 s interval, checked when the test says: each read
    /// answers <c>events()</c> events of all time (null: NotFound), its as-of the clock's now.</summary>
    private sealed class SteppedFeatureWatch : IDisposable
    {
        private readonly SteppedClock _clock = new();
        private readonly SemaphoreSlim _reads = new(0);
        private readonly SemaphoreSlim _checks = new(0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<long> _sent = [];
        private readonly Task _watch;

        public SteppedFeatureWatch(Func<long?> events)
            : this(() => events() is { } count ? new FeatureRead(count, 0) : null)
        {
        }

        /// <param name="reads">What each read answers (null: NotFound).</param>
        /// <param name="resumeAfter">The version of a resume token the watch starts from.</param>
        public SteppedFeatureWatch(Func<FeatureRead?> reads, ViewVersion? resumeAfter = null)
        {
            _watch = ViewWatch.RunAsync(
                () =>
                {
                    _reads.Release();
                    return reads() is { } read
                        ? Task.FromResult(read.ToView(_clock.GetUtcNow()))
                        : Task.FromException<VersionedView<FeatureView>>(new NotFoundException("feature", "no events for feature 'search'"));
                },
                ViewChanges.OfFeature,
                (view, version) =>
                {
                    _sent.Add(view.EventsAllTime);
                    Versions.Add(version);
                    return Task.CompletedTask;
                },
                TimeSpan.FromSeconds(1),
                (delay, token) =>
                {
                    Waits.Add(delay);
                    return _checks.WaitAsync(token);
                },
                _clock,
                _stop.Token,
                resumeAfter);
        }

        /// <summary>The version sent with each view (its resume token's).</summary>
        public List<ViewVersion> Versions { get; } = [];

        /// <summary>Each wait the watch asked for between checks.</summary>
        public List<TimeSpan> Waits { get; } = [];

        public Task FirstReadAsync() => ReadAsync(_reads);

        /// <summary>The watch, which ends only by cancellation or a failure.</summary>
        public Task Ended => _watch;

        public Task CheckAsync(TimeSpan step, int times = 1) => ViewWatchTests.CheckAsync(_reads, _checks, times, _clock, step);

        /// <summary>Ends the watch; the events of all time of every view it sent.</summary>
        public async Task<List<long>> StopAsync()
        {
            await _stop.CancelAsync();
            _checks.Release();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _watch);
            return _sent;
        }

        public void Dispose()
        {
            _stop.Dispose();
            _reads.Dispose();
            _checks.Dispose();
        }
    }

    /// <summary>A clock that moves only when told.</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks = DateTimeOffset.UnixEpoch.AddYears(56).Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => new(GetTimestamp(), TimeSpan.Zero);

        public void Advance(TimeSpan step) => Interlocked.Add(ref _ticks, step.Ticks);
    }
}

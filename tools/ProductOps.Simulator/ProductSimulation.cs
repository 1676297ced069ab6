using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using ProductOps.Contracts.V1;

namespace ProductOps.Simulator;

/// <summary>A seeded synthetic product: its users' events in time order, their identify calls and
/// the ground truth of who churned when.</summary>
/// <remarks>The same options give the same events, ids included, so a rerun is deduplicated by the
/// server. Events are generated one day at a time: memory grows with users, not with the run.</remarks>
public sealed class ProductSimulation
{
    private readonly ProductSimulationOptions _options;
    private readonly UserProfile[] _users;
    private readonly UserGroundTruth[] _truth;
    private readonly Dictionary<string, UserGroundTruth> _truthById;
    private readonly string _runKey;
    private readonly long _startMs;

    /// <summary>Draws the users (cheap); events are generated when enumerated.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ProductSimulation(ProductSimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = Validate(options);
        _startMs = new DateTimeOffset(_options.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
            .ToUnixTimeMilliseconds();
        _runKey = RunKey(_options);
        _users = UserProfiles.Draw(_options);
        _truth = new UserGroundTruth[_users.Length];
        _truthById = new Dictionary<string, UserGroundTruth>(_users.Length, StringComparer.Ordinal);
        for (var i = 0; i < _users.Length; i++)
        {
            _truth[i] = TruthOf(_users[i]);
            _truthById.Add(_truth[i].UserId, _truth[i]);
        }
    }

    /// <summary>The first instant of the window.</summary>
    public DateTimeOffset StartTime => DateTimeOffset.FromUnixTimeMilliseconds(_startMs);

    /// <summary>The end of the window (exclusive). A last-day session may run a little past it.</summary>
    public DateTimeOffset EndTime => StartTime.AddDays(_options.Days);

    /// <summary>The simulated features (a copy of <see cref="ProductSimulationOptions.Features"/>).</summary>
    public IReadOnlyList<SimulatedFeature> Features => _options.Features;

    /// <summary>The simulator's decisions for every user, by user index.</summary>
    public IReadOnlyList<UserGroundTruth> GroundTruth => _truth;

    /// <summary>The ground truth of one user.</summary>
    /// <exception cref="KeyNotFoundException">No such user in this simulation.</exception>
    public UserGroundTruth GetGroundTruth(string userId) => _truthById[userId];

    /// <summary>All events in non-decreasing timestamp order, generated lazily; each enumeration
    /// generates them afresh and identically.</summary>
    public IEnumerable<Event> Events()
    {
        var buffer = new EventBuffer(_startMs);
        var sessions = new SessionGenerator(_options, _startMs);
        var factory = new EventFactory(_users, _options.Features, _runKey);
        for (var day = 0; day < _options.Days; day++)
        {
            foreach (var user in _users)
            {
                sessions.Generate(user, day, buffer);
            }

            buffer.Sort();

            // Sessions that run past midnight spill into the next day's buffer; the last day flushes all.
            var isLastDay = day == _options.Days - 1;
            var ready = isLastDay
                ? buffer.Count
                : buffer.CountBefore(_startMs + ((day + 1) * SessionGenerator.MsPerDay));
            for (var i = 0; i < ready; i++)
            {
                yield return factory.Create(in buffer[i]);
            }

            buffer.RemoveFirst(ready);
        }
    }

    /// <summary>One identify call per user, at midnight UTC of the signup day, in time order: traits
    /// <c>plan</c>, <c>country</c> and <c>signup_date</c> (yyyy-MM-dd).</summary>
    public IEnumerable<IdentifyRequest> Identifies()
    {
        var order = new int[_users.Length];
        var days = new int[_users.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            days[i] = _users[i].SignupDay;
        }

        Array.Sort(days, order);
        foreach (var index in order)
        {
            var truth = _truth[index];
            var signup = new DateTimeOffset(truth.SignupDate.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            yield return new IdentifyRequest
            {
                EventId = "i" + _runKey + "-0",
                UserId = truth.UserId,
                Timestamp = Timestamp.FromDateTimeOffset(signup),
                Traits =
                {
                    ["plan"] = truth.Plan,
                    ["country"] = truth.Country,
                    ["signup_date"] = truth.SignupDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                },
            };
        }
    }

    private UserGroundTruth TruthOf(UserProfile user)
    {
        var start = _options.Start;
        DateTimeOffset? declineStartsAt = user.Churner ? StartTime.AddDays(user.DeclineStartDay) : null;
        DateTimeOffset? churnedAt = user.Churner ? StartTime.AddDays(user.ChurnDay + 1) : null;
        DateOnly? breakStart = user.BreakDays > 0 ? start.AddDays(user.BreakStart) : null;
        return new UserGroundTruth(
            user.UserId,
            UserProfiles.Plans[user.Plan],
            UserProfiles.Countries[user.Country],
            start.AddDays(user.SignupDay),
            user.Churner,
            declineStartsAt,
            churnedAt,
            user.Churner && user.Cancels,
            breakStart,
            user.BreakDays);
    }

    private static ProductSimulationOptions Validate(ProductSimulationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Users, 1, nameof(options.Users));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Users, 999_999, nameof(options.Users));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Days, 1, nameof(options.Days));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Days, 3_660, nameof(options.Days));
        CheckShare(options.ChurnShare, nameof(options.ChurnShare));
        CheckShare(options.CancelShare, nameof(options.CancelShare));
        CheckShare(options.ExistingUserShare, nameof(options.ExistingUserShare));
        CheckShare(options.BreakShare, nameof(options.BreakShare));
        ArgumentNullException.ThrowIfNull(options.Features, nameof(options.Features));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Features.Count, short.MaxValue, nameof(options.Features));

        // A private copy: changing the caller's options later cannot desynchronise the users drawn.
        return new ProductSimulationOptions
        {
            Seed = options.Seed,
            Users = options.Users,
            Days = options.Days,
            Start = options.Start,
            ChurnShare = options.ChurnShare,
            CancelShare = options.CancelShare,
            ExistingUserShare = options.ExistingUserShare,
            BreakShare = options.BreakShare,
            Features = [.. options.Features],
            UserIdPrefix = options.UserIdPrefix ?? string.Empty,
        };
    }

    private static void CheckShare(double value, string name)
    {
        if (!(value is >= 0.0 and <= 1.0))
        {
            throw new ArgumentOutOfRangeException(name, value, "A share must be between 0 and 1.");
        }
    }

    /// <summary>Eight hex digits that fingerprint the options, in every event id: simulations that
    /// differ never collide on the server's deduplication key.</summary>
    private static string RunKey(ProductSimulationOptions options)
    {
        var h = FastRandom.Mix((ulong)(uint)options.Seed);
        h = FastRandom.Mix(h ^ (ulong)options.Users);
        h = FastRandom.Mix(h ^ ((ulong)options.Days << 20));
        h = FastRandom.Mix(h ^ (ulong)options.Start.DayNumber);
        h = FastRandom.Mix(h ^ (ulong)BitConverter.DoubleToInt64Bits(options.ChurnShare));
        h = FastRandom.Mix(h ^ (ulong)BitConverter.DoubleToInt64Bits(options.CancelShare));
        h = FastRandom.Mix(h ^ (ulong)BitConverter.DoubleToInt64Bits(options.ExistingUserShare));
        h = FastRandom.Mix(h ^ (ulong)BitConverter.DoubleToInt64Bits(options.BreakShare));
        foreach (var feature in options.Features)
        {
            foreach (var c in feature.Name)
            {
                h = FastRandom.Mix(h ^ c);
            }

            h = FastRandom.Mix(h ^ (ulong)BitConverter.DoubleToInt64Bits(feature.Adoption));
        }

        return ((uint)h).ToString("x8", CultureInfo.InvariantCulture);
    }
}

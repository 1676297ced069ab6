namespace ProductOps.Simulator;

/// <summary>Draws the user base: plans, countries, habits, feature adoption, churners and breaks.</summary>
internal static class UserProfiles
{
    public static readonly string[] Plans = ["free", "pro", "enterprise"];
    private static readonly double[] PlanShares = [0.55, 0.33, 0.12];
    private static readonly double[] PlanActivity = [0.8, 1.1, 1.4];

    public static readonly string[] Countries = ["US", "GB", "DE", "FR", "IN", "BR", "CA", "JP", "AU", "NL"];
    private static readonly double[] CountryShares = [0.34, 0.10, 0.09, 0.07, 0.12, 0.08, 0.06, 0.05, 0.05, 0.04];

    // Offsets from UTC, so each country's working hours land at its own UTC hours.
    private static readonly double[] CountryUtcOffsets = [-5, 0, 1, 1, 5.5, -3, -5, 9, 10, 1];

    /// <summary>Users need this much history before their churn day to show a decline.</summary>
    private const int MinDaysBeforeChurn = 28;

    /// <summary>Churn days leave three weeks of the window before them, so the decline is visible.</summary>
    private const int FirstWindowChurnDay = 21;

    public static UserProfile[] Draw(ProductSimulationOptions options)
    {
        var users = new UserProfile[options.Users];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = DrawUser(options, i);
        }

        PickChurners(options, users);
        PickBreaks(options, users);
        return users;
    }

    private static UserProfile DrawUser(ProductSimulationOptions options, int index)
    {
        var rng = FastRandom.For(options.Seed, Purpose.Profile, index, 0);
        var signupDay = rng.Chance(options.ExistingUserShare)
            ? -1 - rng.Next(365)
            : rng.Next(options.Days);
        var plan = Pick(ref rng, PlanShares);
        var country = Pick(ref rng, CountryShares);
        var features = options.Features;
        var adoptDay = new int[features.Count];
        for (var f = 0; f < adoptDay.Length; f++)
        {
            var feature = features[f];
            adoptDay[f] = int.MaxValue;
            if (feature.Core || rng.Chance(feature.Adoption))
            {
                var available = Math.Max(signupDay, feature.LaunchDay);
                var delay = feature.Core || rng.Chance(0.5) ? 0 : (int)rng.Exponential(6);
                adoptDay[f] = available + delay;
            }
        }

        var localPeak = 10.0 + (rng.NextDouble() * 8.0);
        return new UserProfile
        {
            Index = index,
            UserId = options.UserIdPrefix + index.ToString("D6", System.Globalization.CultureInfo.InvariantCulture),
            Plan = plan,
            Country = country,
            SignupDay = signupDay,
            SessionsPerDay = Math.Clamp(0.8 * Math.Exp(0.6 * rng.Normal()) * PlanActivity[plan], 0.1, 6.0),
            PeakHourUtc = localPeak - CountryUtcOffsets[country],
            Satisfaction = 0.4 * rng.Normal(),
            ErrorProneness = 0.5 + rng.NextDouble(),
            AdoptDay = adoptDay,
        };
    }

    private static void PickChurners(ProductSimulationOptions options, UserProfile[] users)
    {
        var eligible = new List<UserProfile>();
        foreach (var user in users)
        {
            if (FirstChurnDay(user) <= options.Days - 1)
            {
                eligible.Add(user);
            }
        }

        var target = Math.Min(eligible.Count, (int)Math.Round(options.ChurnShare * users.Length));
        var rng = FastRandom.For(options.Seed, Purpose.Churn, 0, 0);

        // A partial Fisher-Yates shuffle picks exactly `target` churners.
        for (var i = 0; i < target; i++)
        {
            var j = i + rng.Next(eligible.Count - i);
            (eligible[i], eligible[j]) = (eligible[j], eligible[i]);
            var user = eligible[i];
            var first = FirstChurnDay(user);
            var churnDay = first + rng.Next(options.Days - first);
            var warningDays = 7 + rng.Next(15);
            user.Churner = true;
            user.ChurnDay = churnDay;
            user.DeclineStartDay = churnDay - warningDays + 1;
            user.Cancels = rng.Chance(options.CancelShare);
        }
    }

    private static void PickBreaks(ProductSimulationOptions options, UserProfile[] users)
    {
        foreach (var user in users)
        {
            var rng = FastRandom.For(options.Seed, Purpose.Break, user.Index, 0);
            if (!user.Churner && options.Days > 7 && rng.Chance(options.BreakShare))
            {
                user.BreakStart = rng.Next(options.Days - 7);
                user.BreakDays = 5 + rng.Next(8);
            }
        }
    }

    private static int FirstChurnDay(UserProfile user) => Math.Max(user.SignupDay + MinDaysBeforeChurn, FirstWindowChurnDay);

    private static int Pick(ref FastRandom rng, double[] shares)
    {
        var x = rng.NextDouble();
        for (var i = 0; i < shares.Length - 1; i++)
        {
            x -= shares[i];
            if (x < 0)
            {
                return i;
            }
        }

        return shares.Length - 1;
    }
}

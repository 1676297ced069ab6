using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using ProductOps.Domain;
using ProductOps.Testing;

namespace ProductOps.Domain.Tests;

/// <summary>
/// User snapshots are stored with the Orleans serializer, so a change to how the state is held must
/// still read what older nodes wrote. <see cref="ListFormatSnapshot"/> was written by the node
/// before the compact form (day and hour sets, sessions and recent days in lists and a hash set),
/// <see cref="FeatureRecordSnapshot"/> by the node that held each feature as an object with its own
/// hours: <see cref="History"/> applied to a new <c>UserActivity</c>, serialized, base64.
/// </summary>
public sealed class UserActivityFormatTests : IDisposable
{
    private const string ListFormatSnapshot =
        "IAAgQO+LEMoBIICC7UPLAeIDgQAAAAAAUKJAISAAWQGU5wQApOcEAMTnBAD05wQAJOgEAFToBACE6AQAtOgEAOToBAAU6QQA" +
        "ROkEAHTpBACk6QQA1OkEAATqBAA06gQAZOoEAJTqBAC06gQAxOoEAPTqBAAk6wQAVOsEAITrBAC06wQA5OsEABTsBABE7AQA" +
        "dOwEAKTsBADU7AQABO0EADTtBABk7QQAlO0EAMTtBAD07QQAJO4EAFTuBACE7gQAtO4EAOTuBAD07gQABO8E4OAhAVWBls94" +
        "tQf+2AiA4814tQf92AiA/NJ4tQcA2QiA4d54tQcH2QiAAfRLXBnVioGAtPVLXBnWioGAA+NLXBnLioGAs6VCXBlCgIGAzKpC" +
        "XBlFgIGA5a9CXBlIgIGAib1FXBnHg4GAcLhFXBnEg4GA78BFXBnJg4GAbslFXBnOg4GA8ClUXBnDlIGA1TVUXBnKlIGA7jpU" +
        "XBnNlIGALEVXXBlKmIGAE0BXXBlHmIGAxkFXXBlImIGApDBOXBnZjYGAvTVOXBncjYGAPi1OXBnXjYGAvyROXBnSjYGAx0ZR" +
        "XBldkYGArkFRXBlakYGAlTxRXBlXkYGArbtfXBleooGALrNfXBlZooGAe7FfXBlYooGAI51iXBnDpYGA1p5iXBnEpYGAVadi" +
        "XBnJpYGACKliXBnKpYGAK+8J1Rdd1WqAqvcJ1Rdi1WqA+eQJ1RdX1WqAu9oG1Rfa0WqA1N8G1Rfd0WqA7eQG1Rfg0WqA30ZX" +
        "XBlLmIGAHNSAalNZM3/gITABMSzULh1TdHJpbmdDb21wYXJlcgADAQHgAQdBDXNlYXJjaCAAVQEgMDmOEMoBIDC1GDbLISAA" +
        "KwEUtnUAhLd1ABS/dQAUyHUAFNF1ABTadQAU43UAFOx1ABT1dQAU/nUAFAd2ABQQdgAUGXYAFCJ2ABQrdgAUNHYAFD12ABRG" +
        "dgAUT3YAFFh2ABRhduDg4EAPcmVwb3J0cyAApQEggEMVEcoBIABmI0HLISAAUwFktnUA5Lp1AGS/dQDkw3UAZMh1AOTMdQBk" +
        "0XUA5NV1AGTadQDk3nUAZON1AOTndQBk7HUA5PB1AGT1dQDk+XUAZP51AOQCdgBkB3YA5At2AGQQdgDkFHYAZBl2AOQddgBk" +
        "InYA5CZ2AGQrdgDkL3YAZDR2AOQ4dgBkPXYA5EF2AGRGdgDkSnYAZE92AORTdgBkWHYA5Fx2AGRhdgDkZXYAhGd24ODgQA1l" +
        "eHBvcnQgAFEBIDDDRxjKASAwP9I9yyEgACkBlLp1AJTDdQCUzHUAlNV1AJTedQCU53UAlPB1AJT5dQCUAnYAlAt2AJQUdgCU" +
        "HXYAlCZ2AJQvdgCUOHYAlEF2AJRKdgCUU3YAlFx2AJRlduDg4OAhOAMAAwEB4AEFQQlwbGFuIOhACXRlYW0BIABNXBLL4EAP" +
        "Y291bnRyeSDoQAVmcgEgAFXeEMrg4AEgAGYjQcsBIICC7UPLISAAQwF06QQApOkEANTpBAAE6gQANOoEAGTqBACU6gQAtOoE" +
        "AMTqBAD06gQAJOsEAFTrBACE6wQAtOsEAOTrBAAU7AQAROwEAHTsBACk7AQA1OwEAATtBAA07QQAZO0EAJTtBADE7QQA9O0E" +
        "ACTuBABU7gQAhO4EALTuBADk7gQA9O4EAATvBOAhAEMBDQANAA0ADQANAA0ADQAFAA0ADQANAA0ADQANAA0ADQANAA0ADQAN" +
        "AA0ADQANAA0ADQANAA0ADQANAA0ADQAFAAXgIQBDAQUABQAFAAUABQAFAAUAAQAFAAUABQAFAAUABQAFAAUABQAFAAUABQAF" +
        "AAUABQAFAAUABQAFAAUABQAFAAUAAQAB4CEAQwEBAAEAAQABAAEAAQABAAUAAQABAAEAAQABAAEAAQABAAEAAQABAAEAAQAB" +
        "AAEAAQABAAEAAQABAAEAAQABAAEAAeAhAEMBAQABAAEAAQABAAEAAQABAAEAAQABAAEAAQABAAEAAQABAAEAAQABAAEAAQAB" +
        "AAEAAQABAAEAAQABAAEAAQAFAAHgIQBDgQAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAA" +
        "AAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAA" +
        "AAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAA" +
        "AAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAAAAAAAAAAgAAA" +
        "AAAAAAAAgAAAAAAAAAAAgAAAAAAAABBAgAAAAAAAAAAA4CEAQ4EAAAAAAAA+QIAAAAAAAIBAQIAAAAAAAABCQIAAAAAAAIBD" +
        "QIAAAAAAAABFQIAAAAAAAIBGQIAAAAAAAABIQIAAAAAAAAAAAIAAAAAAAIBJQIAAAAAAAABLQIAAAAAAAIBMQIAAAAAAAABO" +
        "QIAAAAAAAIBPQIAAAAAAAIBQQIAAAAAAAEBRQIAAAAAAAABSQIAAAAAAAMBSQIAAAAAAAIBTQIAAAAAAAEBUQIAAAAAAAABV" +
        "QIAAAAAAAMBVQIAAAAAAAIBWQIAAAAAAAEBXQIAAAAAAAABYQIAAAAAAAMBYQIAAAAAAAIBZQIAAAAAAAEBaQIAAAAAAAABb" +
        "QIAAAAAAAMBbQIAAAAAAAIBcQIAAAAAAAEBdQIAAAAAAAAAQQIAAAAAAAAAAAODg4A==";

    private const string FeatureRecordSnapshot =
        "IAAgQO+LEMoBIICC7UPLAeIDgQAAAAAAUKJAIcABIQBZAZTnBACk5wQAxOcEAPTnBAAk6AQAVOgEAIToBAC06AQA5OgEABTpBABE" +
        "6QQAdOkEAKTpBADU6QQABOoEADTqBABk6gQAlOoEALTqBADE6gQA9OoEACTrBABU6wQAhOsEALTrBADk6wQAFOwEAETsBAB07AQA" +
        "pOwEANTsBAAE7QQANO0EAGTtBACU7QQAxO0EAPTtBAAk7gQAVO4EAITuBAC07gQA5O4EAPTuBAAE7wTg4MEBwQEhMAExLNQuHVN0" +
        "cmluZ0NvbXBhcmVyAAMBAeABBUEJcGxhbiDoQAl0ZWFtASAATVwSy+BAD2NvdW50cnkg6EAFZnIBIABV3hDK4OABIABmI0HLASCA" +
        "gu1DyyHAAcEBwQHBAcEBwQHBASEAQyEAdOkEAQ0BBQEBAQGBAAAAAAAAAACBAAAAAAAAPkDgIACk6QQBDQEFAQEBAYEAAAAAAAAA" +
        "AIEAAAAAAIBAQOAgANTpBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAAEJA4CAABOoEAQ0BBQEBAQGBAAAAAAAAAACBAAAAAACAQ0Dg" +
        "IAA06gQBDQEFAQEBAYEAAAAAAAAAAIEAAAAAAABFQOAgAGTqBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAgEZA4CAAlOoEAQ0BBQEB" +
        "AQGBAAAAAAAAAACBAAAAAAAASEDgIAC06gQBBQEBAQUBAYEAAAAAAAAAAIEAAAAAAAAAAOAgAMTqBAENAQUBAQEBgQAAAAAAAAAA" +
        "gQAAAAAAgElA4CAA9OoEAQ0BBQEBAQGBAAAAAAAAAACBAAAAAAAAS0DgIAAk6wQBDQEFAQEBAYEAAAAAAAAAAIEAAAAAAIBMQOAg" +
        "AFTrBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAAE5A4CAAhOsEAQ0BBQEBAQGBAAAAAAAAAACBAAAAAACAT0DgIAC06wQBDQEFAQEB" +
        "AYEAAAAAAAAAAIEAAAAAAIBQQOAgAOTrBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAQFFA4CAAFOwEAQ0BBQEBAQGBAAAAAAAAAACB" +
        "AAAAAAAAUkDgIABE7AQBDQEFAQEBAYEAAAAAAAAAAIEAAAAAAMBSQOAgAHTsBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAgFNA4CAA" +
        "pOwEAQ0BBQEBAQGBAAAAAAAAAACBAAAAAABAVEDgIADU7AQBDQEFAQEBAYEAAAAAAAAAAIEAAAAAAABVQOAgAATtBAENAQUBAQEB" +
        "gQAAAAAAAAAAgQAAAAAAwFVA4CAANO0EAQ0BBQEBAQGBAAAAAAAAAACBAAAAAACAVkDgIABk7QQBDQEFAQEBAYEAAAAAAAAAAIEA" +
        "AAAAAEBXQOAgAJTtBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAAFhA4CAAxO0EAQ0BBQEBAQGBAAAAAAAAAACBAAAAAADAWEDgIAD0" +
        "7QQBDQEFAQEBAYEAAAAAAAAAAIEAAAAAAIBZQOAgACTuBAENAQUBAQEBgQAAAAAAAAAAgQAAAAAAQFpA4CAAVO4EAQ0BBQEBAQGB" +
        "AAAAAAAAAACBAAAAAAAAW0DgIACE7gQBDQEFAQEBAYEAAAAAAAAAAIEAAAAAAMBbQOAgALTuBAENAQUBAQEBgQAAAAAAAAAAgQAA" +
        "AAAAgFxA4CAA5O4EAQ0BBQEBAQGBAAAAAAAAAACBAAAAAABAXUDgIAD07gQBBQEBAQEBBYEAAAAAAAAQQIEAAAAAAAAQQOAgAATv" +
        "BAEFAQEBAQEBgQAAAAAAAAAAgQAAAAAAAAAA4ODgIQBVgbOlQlwZQoCBgMyqQlwZRYCBgOWvQlwZSICBgHC4RVwZxIOBgIm9RVwZ" +
        "x4OBgO/ARVwZyYOBgG7JRVwZzoOBgAPjS1wZy4qBgAH0S1wZ1YqBgLT1S1wZ1oqBgL8kTlwZ0o2BgD4tTlwZ142BgKQwTlwZ2Y2B" +
        "gL01TlwZ3I2BgJU8UVwZV5GBgK5BUVwZWpGBgMdGUVwZXZGBgPApVFwZw5SBgNU1VFwZypSBgO46VFwZzZSBgBNAV1wZR5iBgMZB" +
        "V1wZSJiBgCxFV1wZSpiBgN9GV1wZS5iBgHuxX1wZWKKBgC6zX1wZWaKBgK27X1wZXqKBgCOdYlwZw6WBgNaeYlwZxKWBgFWnYlwZ" +
        "yaWBgAipYlwZyqWBgOPNeLUH/dgIgJbPeLUH/tgIgPzSeLUHANkIgOHeeLUHB9kIgLvaBtUX2tFqgNTfBtUX3dFqgO3kBtUX4NFq" +
        "gPnkCdUXV9VqgCvvCdUXXdVqgKr3CdUXYtVqgBzUgGpTWTN/4CEAByEAUQEgMMNHGMoBIDA/0j3LIcABIQApAZS6dQCUw3UAlMx1" +
        "AJTVdQCU3nUAlOd1AJTwdQCU+XUAlAJ2AJQLdgCUFHYAlB12AJQmdgCUL3YAlDh2AJRBdgCUSnYAlFN2AJRcdgCUZXbg4EENZXhw" +
        "b3J04CAApQEggEMVEcoBIABmI0HLIcABIQBTAWS2dQDkunUAZL91AOTDdQBkyHUA5Mx1AGTRdQDk1XUAZNp1AOTedQBk43UA5Od1" +
        "AGTsdQDk8HUAZPV1AOT5dQBk/nUA5AJ2AGQHdgDkC3YAZBB2AOQUdgBkGXYA5B12AGQidgDkJnYAZCt2AOQvdgBkNHYA5Dh2AGQ9" +
        "dgDkQXYAZEZ2AORKdgBkT3YA5FN2AGRYdgDkXHYAZGF2AORldgCEZ3bg4EEPcmVwb3J0c+AgAFUBIDA5jhDKASAwtRg2yyHAASEA" +
        "KwEUtnUAhLd1ABS/dQAUyHUAFNF1ABTadQAU43UAFOx1ABT1dQAU/nUAFAd2ABQQdgAUGXYAFCJ2ABQrdgAUNHYAFD12ABRGdgAU" +
        "T3YAFFh2ABRhduDgQQ1zZWFyY2jg4OA=";

    private static readonly TenantRules Rules = new(TenantClock.Event, 30, ["subscription_cancelled"]);
    private static readonly long AsOf = Events.At(130);

    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    private Serializer Serializer => _services.GetRequiredService<Serializer>();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Deserialize_ListFormatSnapshot_SameUserAsReplayingTheHistory()
    {
        var stored = Read(Convert.FromBase64String(ListFormatSnapshot));

        AssertSameUser(Replay(History()), stored);
    }

    [Fact]
    public void Deserialize_FeatureRecordSnapshot_SameUserAsReplayingTheHistory()
    {
        var stored = Read(Convert.FromBase64String(FeatureRecordSnapshot));

        AssertSameUser(Replay(History()), stored);
    }

    [Fact]
    public void Serialize_History_WritesWhatTheFeatureRecordNodeWrote()
    {
        // Held differently since (features as values, times without nullables), stored as before:
        // a node rolled back reads what this one writes.
        Assert.Equal(FeatureRecordSnapshot, Convert.ToBase64String(Serializer.SerializeToArray(Replay(History()))));
    }

    [Fact]
    public void RoundTrip_UserWithOnlyTraits_TimesStayUnset()
    {
        // The times are held as plain longs with a mark for none: that mark must survive the
        // stored form's nulls, and a user without usage events has none of them.
        var user = Replay([Events.Identify("u", Events.At(0), ("plan", "pro"))]);

        var stored = Read(Serializer.SerializeToArray(user));

        Assert.Equal((null, null, null, null), (stored.FirstSeenMs, stored.LastSeenMs, stored.LastEngagedMs, stored.LastChurnEventMs));
        Assert.Equal(Lifecycle.Unknown, stored.LifecycleAt(AsOf, Rules));
    }

    [Theory]
    [InlineData(ListFormatSnapshot)]
    [InlineData(FeatureRecordSnapshot)]
    public void Apply_AfterOlderSnapshot_SameDeltasAndUserAsReplayingEverything(string snapshot)
    {
        var stored = Read(Convert.FromBase64String(snapshot));
        var replayed = Replay(History());

        foreach (var e in Later())
        {
            Assert.Equal(DeltasOf(replayed, e), DeltasOf(stored, e));
        }

        AssertSameUser(replayed, stored);
    }

    [Fact]
    public void Serialize_UserReadFromListFormat_WritesOnlyTheCurrentForm()
    {
        var legacy = Convert.FromBase64String(ListFormatSnapshot);
        var rewritten = Serializer.SerializeToArray(Read(legacy));

        // Both forms together would be about 1.5x (3,202 bytes for this user when it happened).
        Assert.True(rewritten.Length < legacy.Length * 1.25, $"{rewritten.Length} bytes rewritten from {legacy.Length}: both forms written?");
        AssertSameUser(Replay(History()), Read(rewritten));
    }

    [Fact]
    public void RoundTrip_CurrentFormat_SameUser()
    {
        var live = Replay(History());

        var stored = Read(Serializer.SerializeToArray(live));

        AssertSameUser(live, stored);
        foreach (var e in Later())
        {
            Assert.Equal(DeltasOf(live, e), DeltasOf(stored, e));
        }

        AssertSameUser(live, stored);
    }

    /// <summary>Four months of one user: days out of order, days older than the recent window,
    /// several sessions and features, errors, feedback, traits and a cancellation.</summary>
    internal static IEnumerable<TrackedEvent> History()
    {
        yield return Events.Identify("u", Events.At(0), ("plan", "pro"), ("country", "fr"));
        for (var day = 0; day < 120; day += 3)
        {
            yield return Events.Usage("u", Events.At(day, 9), "session_start", session: $"s{day}");
            yield return Events.Usage("u", Events.At(day, 9, 5), "click", feature: day % 2 == 0 ? "search" : "export", session: $"s{day}");
            yield return Events.Usage("u", Events.At(day, 14), "click", feature: "reports", value: day, session: $"s{day}");
        }

        yield return Events.Usage("u", Events.At(50, 10), EventNames.Error, session: "s50");
        yield return Events.Usage("u", Events.At(1, 8), "click", feature: "search", session: "early");
        yield return Events.Usage("u", Events.At(118, 16), EventNames.Feedback, feature: "reports", value: 4);
        yield return Events.Identify("u", Events.At(100), ("plan", "team"));
        yield return Events.Usage("u", Events.At(119, 18), "subscription_cancelled");
    }

    private static IEnumerable<TrackedEvent> Later()
    {
        yield return Events.Usage("u", Events.At(121, 9), "session_start", session: "s121");
        yield return Events.Usage("u", Events.At(121, 9, 1), "click", feature: "search", session: "s121");
        yield return Events.Usage("u", Events.At(2, 9), "click", feature: "billing", session: "late-old");
        yield return Events.Usage("u", Events.At(125, 20), "click", feature: "export", value: 2, session: "s125");
    }

    private UserActivity Read(byte[] snapshot) =>
        Serializer.Deserialize<UserActivity>(snapshot) ?? throw new InvalidOperationException("no user in the snapshot");

    private static UserActivity Replay(IEnumerable<TrackedEvent> events)
    {
        var user = new UserActivity();
        foreach (var e in events)
        {
            user.Apply(e, Rules, []);
        }

        return user;
    }

    private static CounterDelta[] DeltasOf(UserActivity user, TrackedEvent e)
    {
        var deltas = new List<CounterDelta>();
        user.Apply(e, Rules, deltas);
        return [.. deltas];
    }

    private static void AssertSameUser(UserActivity expected, UserActivity actual)
    {
        OracleAssert.SnapshotsEqual(expected.Snapshot("u", AsOf, Rules), actual.Snapshot("u", AsOf, Rules));
        Assert.Equal(expected.SessionCount, actual.SessionCount);
        Assert.Equal(expected.Recent.Count, actual.Recent.Count);
        Assert.Equal(ChurnFeatures.Compute(expected, AsOf), ChurnFeatures.Compute(actual, AsOf));
        Assert.Equal(HoursByFeature(expected), HoursByFeature(actual));
    }

    private static string[] HoursByFeature(UserActivity user)
    {
        ref readonly var features = ref user.Features;
        var hours = new string[features.Count];
        for (var i = 0; i < hours.Length; i++)
        {
            hours[i] = $"{features.Names[i]}: {string.Join(',', features.HoursOf(i))}";
        }

        return hours;
    }
}

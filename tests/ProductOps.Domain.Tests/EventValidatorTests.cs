using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class EventValidatorTests
{
    private static readonly IngestLimits Limits = new();

    [Fact]
    public void Id_EveryCharacter_RejectedExactlyWhenItIsAControlCharacter()
    {
        var limits = new IngestLimits();
        for (var c = (int)char.MinValue; c <= char.MaxValue; c++)
        {
            var failure = EventValidator.Id("user_id", $"user-{(char)c}-1", limits, required: true);

            Assert.Equal(char.IsControl((char)c) ? new ValidationFailure("user_id", "must not contain control characters") : null, failure);
        }
    }

    [Theory]
    [InlineData(double.MaxValue)]
    [InlineData(-double.MaxValue)]
    [InlineData(1e12 + 1)]
    [InlineData(-1e12 - 1)]
    public void Check_ValueBeyondMaxAbsValue_FailsOnValueNamingTheBound(double value)
    {
        var failure = EventValidator.Check(Candidate(value: value), Limits, NowMs);

        Assert.Equal("value", failure?.Field);
        Assert.Contains("at most 1000000000000 either side of zero", failure!.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1e12)]
    [InlineData(-1e12)]
    [InlineData(0.25)]
    public void Check_ValueWithinMaxAbsValue_Passes(double value) =>
        Assert.Null(EventValidator.Check(Candidate(value: value), Limits, NowMs));

    [Fact]
    public void Check_ValueBoundConfigured_AppliesThatBound()
    {
        var limits = new IngestLimits { MaxAbsValue = 100 };

        Assert.Null(EventValidator.Check(Candidate(value: 100), limits, NowMs));
        Assert.Equal(new ValidationFailure("value", "is 100.5; at most 100 either side of zero is allowed"), EventValidator.Check(Candidate(value: 100.5), limits, NowMs));
    }

    [Fact]
    public void Check_PropertyValueWithEveryCharacter_RejectedExactlyForControlCharactersOtherThanTabAndLineBreaks()
    {
        for (var c = (int)char.MinValue; c <= char.MaxValue; c++)
        {
            var properties = new Dictionary<string, string> { ["plan"] = "pro", ["comment"] = $"great{(char)c}app" };

            var failure = EventValidator.Check(Candidate(properties: properties), Limits, NowMs);

            var refused = char.IsControl((char)c) && c is not ('\t' or '\n' or '\r');
            Assert.Equal(
                refused ? new ValidationFailure("properties", "the value of key 'comment' must not contain control characters other than tab and line breaks") : null,
                failure);
        }
    }

    private const long NowMs = 1_700_000_000_000;

    private static EventCandidate Candidate(double value = 0, IReadOnlyDictionary<string, string>? properties = null) =>
        new("e1", "u1", "feature_used", "search", NowMs - 60_000, value, string.Empty, properties, 100);
}

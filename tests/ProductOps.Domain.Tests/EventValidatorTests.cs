using ProductOps.Domain;

namespace ProductOps.Domain.Tests;

public sealed class EventValidatorTests
{
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
}

using System.Buffers;
using System.Globalization;

namespace ProductOps.Domain;

/// <summary>Checks one event against the limits; the first failure wins.</summary>
public static class EventValidator
{
    // Exactly the characters char.IsControl accepts, searched for with vector instructions.
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        Enumerable.Range(char.MinValue, char.MaxValue + 1).Select(c => (char)c).Where(char.IsControl).ToArray());

    // A property value is free text, so the line breaks and tabs of multi-line text stay allowed;
    // every other control character is refused (PostgreSQL's jsonb refuses NUL outright).
    private static readonly SearchValues<char> ControlCharactersInText = SearchValues.Create(
        Enumerable.Range(char.MinValue, char.MaxValue + 1).Select(c => (char)c).Where(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')).ToArray());

    public static ValidationFailure? Check(in EventCandidate e, IngestLimits limits, long nowMs)
    {
        return Id("event_id", e.EventId, limits, required: true)
            ?? Id("user_id", e.UserId, limits, required: true)
            ?? Id("name", e.Name, limits, required: true)
            ?? ReservedName(e.Name)
            ?? Id("feature", e.Feature, limits, required: false)
            ?? Id("session_id", e.SessionId, limits, required: false)
            ?? Value(e.Value, limits)
            ?? Timestamp(e.TimestampMs, limits, nowMs)
            ?? Properties(e.Properties, limits)
            ?? Size(e.SizeBytes, limits);
    }

    /// <summary>Checks an identifier-like string: present when required, not too long, no control characters.</summary>
    public static ValidationFailure? Id(string field, string value, IngestLimits limits, bool required)
    {
        if (value.Length == 0)
        {
            return required ? new ValidationFailure(field, "is required") : null;
        }

        if (value.Length > limits.MaxIdLength)
        {
            return new ValidationFailure(field, $"is {value.Length} characters; at most {limits.MaxIdLength} are allowed");
        }

        return value.AsSpan().ContainsAny(ControlCharacters)
            ? new ValidationFailure(field, "must not contain control characters")
            : null;
    }

    private static ValidationFailure? ReservedName(string name) =>
        name.Length > 0 && name[0] == EventNames.ReservedPrefix
            ? new ValidationFailure("name", $"names starting with '{EventNames.ReservedPrefix}' are reserved")
            : null;

    private static ValidationFailure? Value(double value, IngestLimits limits)
    {
        if (!double.IsFinite(value))
        {
            return new ValidationFailure("value", "must be a finite number");
        }

        return Math.Abs(value) > limits.MaxAbsValue
            ? new ValidationFailure("value", string.Create(CultureInfo.InvariantCulture, $"is {value:R}; at most {limits.MaxAbsValue:R} either side of zero is allowed"))
            : null;
    }

    private static ValidationFailure? Timestamp(long timestampMs, IngestLimits limits, long nowMs)
    {
        var aheadMs = timestampMs - nowMs;
        return aheadMs > (long)limits.MaxFutureSkew.TotalMilliseconds
            ? new ValidationFailure("timestamp", $"is {TimeSpan.FromMilliseconds(aheadMs):g} ahead of server time; at most {limits.MaxFutureSkew:g} is allowed")
            : null;
    }

    private static ValidationFailure? Properties(IReadOnlyDictionary<string, string>? properties, IngestLimits limits)
    {
        if (properties is null)
        {
            return null;
        }

        if (properties.Count > limits.MaxProperties)
        {
            return new ValidationFailure("properties", $"has {properties.Count} entries; at most {limits.MaxProperties} are allowed");
        }

        foreach (var (key, value) in properties)
        {
            if (Id("properties", key, limits, required: true) is { } failure)
            {
                return failure with { Reason = $"key '{Truncate(key)}' {failure.Reason}" };
            }

            if (value.AsSpan().ContainsAny(ControlCharactersInText))
            {
                return new ValidationFailure("properties", $"the value of key '{Truncate(key)}' must not contain control characters other than tab and line breaks");
            }
        }

        return null;
    }

    private static ValidationFailure? Size(int sizeBytes, IngestLimits limits) =>
        sizeBytes > limits.MaxEventBytes
            ? new ValidationFailure("event", $"is {sizeBytes} bytes encoded; at most {limits.MaxEventBytes} are allowed")
            : null;

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "...");
}

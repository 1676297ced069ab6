using System.Globalization;

namespace ProductOps.Domain;

/// <summary>Corrects a client's clock skew the way Segment does: when the client says when it
/// sent the batch, each event time moves by (received - sent). A corrected time must still be one
/// google.protobuf.Timestamp can hold, or the event could be stored but never read back.</summary>
public static class ClockSkew
{
    /// <summary>0001-01-01T00:00:00Z in Unix milliseconds: the earliest time google.protobuf.Timestamp holds.</summary>
    public const long MinMs = -62_135_596_800_000;

    /// <summary>9999-12-31T23:59:59.999Z in Unix milliseconds: the latest time google.protobuf.Timestamp holds, in whole milliseconds.</summary>
    public const long MaxMs = 253_402_300_799_999;

    /// <summary>Moves <paramref name="timestampMs"/> by the client's skew when <paramref name="sentAtMs"/>
    /// is given. Both inputs are within [<see cref="MinMs"/>, <see cref="MaxMs"/>], so nothing overflows;
    /// a result outside it fails on "timestamp", saying the correction by sent_at put it there.</summary>
    public static ValidationFailure? Correct(long timestampMs, long? sentAtMs, long receivedAtMs, out long correctedMs)
    {
        if (sentAtMs is not { } sent)
        {
            correctedMs = timestampMs;
            return null;
        }

        var shiftMs = receivedAtMs - sent;
        correctedMs = timestampMs + shiftMs;
        if (correctedMs is >= MinMs and <= MaxMs)
        {
            return null;
        }

        var skew = shiftMs < 0 ? "ahead of" : "behind";
        var edge = correctedMs < MinMs ? "before 0001-01-01" : "after 9999-12-31";
        return new ValidationFailure("timestamp", string.Create(
            CultureInfo.InvariantCulture,
            $"corrected for clock skew by sent_at ({Math.Abs(shiftMs) / TimeBuckets.MsPerDay:N0} days {skew} server time), it falls {edge}, outside what a timestamp can hold; check the client's clock"));
    }
}

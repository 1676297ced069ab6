using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace ProductOps.Cli;

/// <summary>How numbers, rates and times read in the command's output.</summary>
internal static class CliFormat
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static string Count(long value) => value.ToString("N0", Culture);

    public static string Rate(double value) => value.ToString("P1", Culture).Replace(" ", string.Empty, StringComparison.Ordinal);

    public static string Decimal(double value, int digits = 2) => value.ToString("F" + digits.ToString(Culture), Culture);

    /// <summary>A mean that is meaningless without samples.</summary>
    public static string Mean(double value, long samples) => samples == 0 ? "-" : Decimal(value);

    public static string Day(Timestamp? time) =>
        time is null ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-dd", Culture);

    public static string Time(Timestamp? time) =>
        time is null ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm", Culture) + " UTC";

    public static string Hour(Timestamp? time) =>
        time is null ? "-" : time.ToDateTimeOffset().ToString("yyyy-MM-dd HH:00", Culture);
}

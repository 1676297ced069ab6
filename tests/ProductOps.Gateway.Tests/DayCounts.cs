namespace ProductOps.Gateway.Tests;

/// <summary>One day of the overview as plain numbers, so differences can be compared.</summary>
public sealed record DayCounts(long DayStartMs, long Dau, long Wau, long Mau, long NewUsers, long Events);

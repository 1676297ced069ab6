namespace ProductOps.Domain;

/// <summary>One day's counts in <see cref="RecentActivity"/>; a struct, so a day costs 40 bytes
/// in one array rather than an entry in each of seven lists.</summary>
[GenerateSerializer, Alias("productops.recent-day")]
internal struct RecentDay
{
    [Id(0)] public int Day;
    [Id(1)] public int Events;
    [Id(2)] public int Sessions;
    [Id(3)] public int Errors;
    [Id(4)] public int FeedbackCount;
    [Id(5)] public double FeedbackSum;
    [Id(6)] public double Value;
}

namespace ProductOps.Domain;

/// <summary>A tenant's activity on one UTC day.</summary>
[GenerateSerializer, Immutable, Alias("productops.day-activity")]
public sealed record DayActivity(
    [property: Id(0)] long DayStartMs,
    [property: Id(1)] long Dau,
    [property: Id(2)] long Wau,
    [property: Id(3)] long Mau,
    [property: Id(4)] long NewUsers,
    [property: Id(5)] long Events)
{
    public double Stickiness => Mau == 0 ? 0 : (double)Dau / Mau;
}

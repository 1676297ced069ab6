namespace ProductOps.Domain;

/// <summary>A feature's row in the adoption table.</summary>
[GenerateSerializer, Immutable, Alias("productops.feature-summary")]
public sealed record FeatureSummary(
    [property: Id(0)] string Feature,
    [property: Id(1)] long AdoptersAllTime,
    [property: Id(2)] long EventsAllTime,
    [property: Id(3)] double Adoption1,
    [property: Id(4)] double Adoption7,
    [property: Id(5)] double Adoption30,
    [property: Id(6)] long FeedbackCount,
    [property: Id(7)] double FeedbackSum)
{
    public double FeedbackMean => FeedbackCount == 0 ? 0 : FeedbackSum / FeedbackCount;
}

namespace ProductOps.Simulator;

/// <summary>Separates the random streams of the different decisions.</summary>
internal static class Purpose
{
    public const int Profile = 1;
    public const int Churn = 2;
    public const int Break = 3;
    public const int Day = 4;
}

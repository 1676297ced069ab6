using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>How a churn prediction reads in the churn commands' output.</summary>
internal static class ChurnFormat
{
    /// <summary>The probability as a rate; "-" for a user who cancelled (not scored).</summary>
    public static string Probability(ChurnRiskView risk) => risk.HasProbability ? CliFormat.Rate(risk.Probability) : "-";

    public static string Reasons(ChurnRiskView risk) => risk.Reasons.Count == 0 ? "-" : string.Join("; ", risk.Reasons);
}

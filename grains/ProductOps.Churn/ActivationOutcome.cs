namespace ProductOps.Churn;

/// <summary>What <see cref="ModelActivationPolicy"/> decided for a newly trained model.</summary>
public enum ActivationOutcome
{
    /// <summary>It beats the recency baseline and the active model (or none could be judged): activate it.</summary>
    Activate = 0,

    /// <summary>Its holdout AUC does not beat the recency baseline's.</summary>
    NotBetterThanBaseline = 1,

    /// <summary>Its holdout AUC does not beat the active model's on the same holdout.</summary>
    NotBetterThanActive = 2,

    /// <summary>It would win, but an operator's activation by hand holds automatic activation.</summary>
    Held = 3,
}

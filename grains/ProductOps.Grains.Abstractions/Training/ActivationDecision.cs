namespace ProductOps.Grains.Abstractions.Training;

/// <summary>Why a training's stored model did or did not become active.</summary>
public enum ActivationDecision
{
    /// <summary>No model was stored.</summary>
    None = 0,

    /// <summary>It beat the recency baseline and the active model on the same holdout (or no model
    /// was active, or the active one could not be judged), and was activated.</summary>
    Activated = 1,

    /// <summary>Its holdout AUC did not beat the recency baseline's.</summary>
    NotBetterThanBaseline = 2,

    /// <summary>Its holdout AUC did not beat the active model's on the same holdout.</summary>
    NotBetterThanActive = 3,

    /// <summary>It would have won, but the training was scheduled and an operator's activation by
    /// hand holds automatic activation.</summary>
    Held = 4,

    /// <summary>It won, but activating it failed; it is stored and can be activated by hand.</summary>
    ActivationFailed = 5,

    /// <summary>It won, but another version became active while the job ran, so the comparison
    /// no longer held and the newer choice was kept.</summary>
    ActiveChanged = 6,
}

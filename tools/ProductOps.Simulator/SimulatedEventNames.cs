namespace ProductOps.Simulator;

/// <summary>The event names the simulation emits.</summary>
public static class SimulatedEventNames
{
    /// <summary>Opens a session; every event of the session carries its session_id.</summary>
    public const string SessionStart = "session_start";

    /// <summary>One use of a feature; the feature is in <c>Event.feature</c>.</summary>
    public const string FeatureUsed = "feature_used";

    /// <summary>A purchase; the amount is the value.</summary>
    public const string Purchase = "purchase";

    /// <summary>A feedback score of 1-5 for a feature; the score is the value.</summary>
    public const string Feedback = "feedback";

    /// <summary>An error the user ran into; property <c>code</c> says which.</summary>
    public const string Error = "error";

    /// <summary>An explicit churn: the last event some churning users emit.</summary>
    public const string SubscriptionCancelled = "subscription_cancelled";
}

namespace ProductOps.Domain;

/// <summary>Event names with a meaning of their own to the aggregates.</summary>
public static class EventNames
{
    /// <summary>Trait updates sent through Identify; never counted as usage.</summary>
    public const string Identify = "$identify";

    /// <summary>A feedback score for a feature; the event value is the score.</summary>
    public const string Feedback = "feedback";

    /// <summary>Opens a session (the Segment/Amplitude convention); counted as a session by the churn features.</summary>
    public const string SessionStart = "session_start";

    /// <summary>An error the user ran into; counted by the churn features.</summary>
    public const string Error = "error";

    /// <summary>Names starting with '$' are reserved for the system.</summary>
    public const char ReservedPrefix = '$';
}

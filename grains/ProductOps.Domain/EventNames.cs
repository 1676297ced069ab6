namespace ProductOps.Domain;

/// <summary>Event names with a meaning of their own to the aggregates.</summary>
public static class EventNames
{
    /// <summary>Trait updates sent through Identify; never counted as usage.</summary>
    public const string Identify = "$identify";

    /// <summary>A feedback score for a feature; the event value is the score.</summary>
    public const string Feedback = "feedback";

    /// <summary>Names starting with '$' are reserved for the system.</summary>
    public const char ReservedPrefix = '$';
}

namespace ProductOps.Grains.Abstractions;

public enum ReceiveStatus
{
    /// <summary>Applied; the watermark moved to the delta's UpToSeq.</summary>
    Applied = 0,

    /// <summary>Already held everything up to UpToSeq; nothing changed.</summary>
    AlreadyApplied = 1,

    /// <summary>Holds events past FromSeq: resend only those after the watermark.</summary>
    Partial = 2,

    /// <summary>Below the required watermark: it lost state; the partition must rewind.</summary>
    Gap = 3,
}

namespace ProductOps.Simulator;

/// <summary>A compact event held while a day is sorted; turned into a protobuf Event when yielded.</summary>
internal struct SimulatedEvent
{
    /// <summary>Unix time in milliseconds.</summary>
    public long Time;
    public double Value;
    public int User;
    public int Sequence;
    public int Session;
    public short Feature;
    public EventKind Kind;
    public byte Detail;
}

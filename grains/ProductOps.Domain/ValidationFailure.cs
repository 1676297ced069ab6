namespace ProductOps.Domain;

/// <summary>Why an input was refused: the field at fault and the reason, in words a client
/// developer can act on.</summary>
public sealed record ValidationFailure(string Field, string Reason)
{
    public override string ToString() => $"{Field}: {Reason}";
}

namespace ProductOps.Bench;

/// <summary>How long and how large a run is: the full benchmark, about a minute, or a CI smoke.</summary>
internal enum BenchProfile
{
    Full,
    Quick,
    Tiny,
}

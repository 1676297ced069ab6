namespace ProductOps.Domain;

/// <summary>
/// Counters as stored apart from a <see cref="CounterSet"/>: keys in the set's own (metric,
/// bucket) encoding, each with its value. Two uses: a receiver's whole history, written now and
/// then, and the counters changed since, written on every flush, where a value of zero means the
/// counter is gone.
/// </summary>
[GenerateSerializer, Alias("productops.counter-values")]
public sealed class CounterValues
{
    public static readonly CounterValues Empty = new([], []);

    public CounterValues()
        : this([], [])
    {
    }

    public CounterValues(long[] keys, double[] values)
    {
        if (keys.Length != values.Length)
        {
            throw new ArgumentException($"{keys.Length} keys but {values.Length} values", nameof(values));
        }

        Keys = keys;
        Values = values;
    }

    [Id(0)] public long[] Keys { get; init; }

    [Id(1)] public double[] Values { get; init; }

    public int Count => Keys.Length;
}

using ProductOps.Domain;

namespace ProductOps.Grains;

/// <summary>The part of a receiver's stored record that <see cref="ReceiverCounters{TRecord}"/> fills.</summary>
public interface IReceiverRecord
{
    /// <summary>Every counter, as records written before the history record existed hold them;
    /// read once, never written again.</summary>
    CounterSet? Counters { get; set; }

    /// <summary>The counters changed since the history record was written, with their values when the record was written.</summary>
    CounterValues Changes { get; set; }
}

using ProductOps.Domain;
using ProductOps.Grains.Abstractions;

namespace ProductOps.Grains;

/// <summary>
/// One dispatch cycle's events with the deltas their user grains returned, rolled up per
/// receiver. Keeps each event's deltas so a receiver that already holds part of the range can
/// be sent exactly the rest.
/// </summary>
internal sealed class DispatchCycle(IReadOnlyList<LoggedEvent> events, IReadOnlyList<CounterDelta[]> deltas)
{
    public long FromSeq { get; } = events[0].Seq - 1;

    public long UpToSeq { get; } = events[^1].Seq;

    public IEnumerable<ReceiverKey> Receivers()
    {
        var receivers = new HashSet<ReceiverKey>();
        for (var i = 0; i < events.Count; i++)
        {
            foreach (var delta in deltas[i])
            {
                receivers.Add(new ReceiverKey(events[i].Event.Tenant, delta.Feature));
            }
        }

        return receivers;
    }

    /// <summary>The receiver's rolled-up counters for events with seq above <paramref name="afterSeq"/>.</summary>
    public (IReadOnlyList<CounterDelta> Counters, DispatchInfo Info) RollUp(ReceiverKey receiver, long afterSeq)
    {
        var sums = new Dictionary<(Metric, int), double>();
        var features = receiver.IsTenant ? new HashSet<string>(StringComparer.Ordinal) : null;
        var latestEventMs = long.MinValue;
        var oldestCommitMs = long.MaxValue;
        for (var i = 0; i < events.Count; i++)
        {
            var logged = events[i];
            if (logged.Seq <= afterSeq || logged.Event.Tenant != receiver.Tenant)
            {
                continue;
            }

            foreach (var delta in deltas[i])
            {
                if (delta.Feature == receiver.Feature)
                {
                    var key = (delta.Metric, delta.Bucket);
                    sums[key] = sums.GetValueOrDefault(key) + delta.Amount;
                }
                else if (features is not null)
                {
                    features.Add(delta.Feature);
                }
            }

            if (!logged.Event.IsIdentify)
            {
                latestEventMs = Math.Max(latestEventMs, logged.Event.TimestampMs);
            }

            oldestCommitMs = Math.Min(oldestCommitMs, logged.CommittedAtMs);
        }

        var counters = sums.Where(kv => kv.Value != 0).Select(kv => new CounterDelta(receiver.Feature, kv.Key.Item1, kv.Key.Item2, kv.Value)).ToList();
        var info = receiver.IsTenant
            ? new DispatchInfo([.. features!], latestEventMs, oldestCommitMs == long.MaxValue ? 0 : oldestCommitMs)
            : DispatchInfo.None;
        return (counters, info);
    }
}

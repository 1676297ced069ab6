using ProductOps.Domain;

namespace ProductOps.Churn;

/// <summary>The earliest and latest time of usage events seen so far (identify calls are not
/// usage), accumulated one event at a time so a history can be scanned without holding it.</summary>
public sealed class EventTimeRange
{
    public long FromMs { get; private set; } = long.MaxValue;

    public long ToMs { get; private set; } = long.MinValue;

    public bool IsEmpty => FromMs > ToMs;

    public void Add(TrackedEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!e.IsIdentify)
        {
            FromMs = Math.Min(FromMs, e.TimestampMs);
            ToMs = Math.Max(ToMs, e.TimestampMs);
        }
    }

    public void AddAll(IEnumerable<TrackedEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var e in events)
        {
            Add(e);
        }
    }
}

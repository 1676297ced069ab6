using ProductOps.Grains.Abstractions.Training;

namespace ProductOps.Grains;

/// <summary>How far a running job got: written by the job off the grain's turn, read by the grain
/// whenever asked, so a lock keeps the fields consistent with each other.</summary>
internal sealed class TrainingProgress
{
    private readonly Lock _lock = new();
    private string _phase = "queued";
    private double _fraction;
    private long _users;
    private long _events;
    private long _examples;

    public void Report(string phase, double fraction)
    {
        lock (_lock)
        {
            _phase = phase;
            _fraction = Math.Clamp(fraction, 0, 1);
        }
    }

    public void AddRead(long users, long events, long examples)
    {
        lock (_lock)
        {
            _users += users;
            _events += events;
            _examples += examples;
        }
    }

    /// <summary>The job with this progress written into it.</summary>
    public TrainingJob ApplyTo(TrainingJob job)
    {
        lock (_lock)
        {
            return job with { Phase = _phase, Progress = _fraction, UsersRead = _users, EventsRead = _events, Examples = _examples };
        }
    }
}

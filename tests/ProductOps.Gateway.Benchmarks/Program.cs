using System.Diagnostics;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Ingest;

// Requests shaped like `productops simulate`'s: batches of 500 events of 5,000 users over 40
// features, an error code on 7% of them. Each round reads every request once, on one thread.
var perRound = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 8;
const int Batch = 500;

var requests = Prepare(perRound / Batch);
var intake = new EventIntake(Options.Create(new IngestLimits()), TimeProvider.System);
var events = requests.Length * Batch;
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {rounds} rounds of {events:N0} events, batches of {Batch}, {requests.Average(r => r.Length) / Batch:F0} bytes an event");

var accepted = 0L;
for (var round = 0; round < rounds; round++)
{
    var parse = Measure(() =>
    {
        foreach (var request in requests)
        {
            accepted += TrackRequest.Parser.ParseFrom(request).Events.Count;
        }
    });
    var read = Measure(() =>
    {
        foreach (var request in requests)
        {
            accepted += intake.Accept("bench", request).Accepted.Count;
        }
    });
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"round {round + 1}: protobuf's parser alone {parse.Ns / events:F0} ns, {parse.Bytes / events:F0} B an event; the intake from bytes {read.Ns / events:F0} ns, {read.Bytes / events:F0} B an event"));
}

GC.KeepAlive(accepted);

static (double Ns, double Bytes) Measure(Action run)
{
    var bytes = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    run();
    return (clock.Elapsed.TotalNanoseconds, GC.GetAllocatedBytesForCurrentThread() - bytes);
}

static byte[][] Prepare(int count)
{
    var random = new Random(42);
    var now = DateTimeOffset.UtcNow.AddHours(-1);
    var requests = new byte[count][];
    for (var b = 0; b < count; b++)
    {
        var request = new TrackRequest { BatchId = $"batch-{b}", SentAt = Timestamp.FromDateTimeOffset(now) };
        for (var i = 0; i < Batch; i++)
        {
            var user = random.Next(5_000);
            var e = new Event
            {
                EventId = $"{user}-{b}-{i}-{random.Next():x8}",
                UserId = $"user-{user:D5}",
                Name = "feature_used",
                Feature = $"feature-{random.Next(40)}",
                Timestamp = Timestamp.FromDateTimeOffset(now.AddMilliseconds(-random.Next(3_600_000))),
                Value = random.Next(4) == 0 ? random.Next(1, 100) : 0,
                SessionId = $"s-{user}-{random.Next(4)}",
            };
            if (random.Next(100) < 7)
            {
                e.Properties["error_code"] = $"E{random.Next(20)}";
            }

            request.Events.Add(e);
        }

        requests[b] = request.ToByteArray();
    }

    return requests;
}

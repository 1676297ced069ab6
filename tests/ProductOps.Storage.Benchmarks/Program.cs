using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using ProductOps.Domain;
using ProductOps.Storage;

// The node's shape: batches of 500 mixed users spread over partitions, appended one after the
// other. Each round appends new events to a file that keeps growing (so the dedup index and its
// merges grow with it); the last re-sends the first round, all duplicates.
var perRound = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
var pageCacheKiB = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : new StorageOptions().LogWriterPageCacheKiB;
const int Batch = 500;
const int Partitions = 8;
const int Users = 100_000;
const int Features = 40;

var folder = Directory.CreateTempSubdirectory("productops-storage-bench-").FullName;
try
{
    using var log = new SqliteEventLog(Options.Create(new StorageOptions { DataDir = folder, LogWriterPageCacheKiB = pageCacheKiB }));
    var heads = new long[Partitions];
    Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}; {rounds} rounds of {perRound:N0} events, batches of {Batch}, {Partitions} partitions, writers' page cache {pageCacheKiB:N0} KiB");
    TrackedEvent[][]? first = null;
    for (var round = 0; round <= rounds; round++)
    {
        var retry = round == rounds;
        var batches = retry ? first! : Prepare(round, perRound);
        first ??= batches;
        var (seconds, cpu, duplicates) = Append(log, heads, batches);
        var events = batches.Sum(b => b.Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{(retry ? "retries" : $"round {round + 1}")}: {events / seconds:N0} events/s, {cpu.TotalMicroseconds / events:F2} µs CPU an event, {duplicates:N0} duplicates"));
    }
}
finally
{
    Directory.Delete(folder, recursive: true);
}

static TrackedEvent[][] Prepare(int round, int count)
{
    var random = new Random(round);
    var batches = new TrackedEvent[count / Batch][];
    for (var b = 0; b < batches.Length; b++)
    {
        batches[b] = new TrackedEvent[Batch];
        for (var i = 0; i < Batch; i++)
        {
            var n = ((long)round * count) + (b * Batch) + i;
            batches[b][i] = new TrackedEvent("bench", $"user-{random.Next(Users)}", $"event-{n}", "feature_used",
                $"feature-{random.Next(Features)}", 1_700_000_000_000 + n, 1, $"session-{random.Next(1_000)}", null);
        }
    }

    return batches;
}

static (double Seconds, TimeSpan Cpu, int Duplicates) Append(SqliteEventLog log, long[] heads, TrackedEvent[][] batches)
{
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    var duplicates = 0;
    for (var b = 0; b < batches.Length; b++)
    {
        var partition = b % Partitions;
        var outcome = log.AppendAsync(partition, heads[partition], batches[b], 1_000).GetAwaiter().GetResult();
        heads[partition] = outcome.Head;
        duplicates += outcome.Duplicate.Count(d => d);
    }

    var seconds = clock.Elapsed.TotalSeconds;
    process.Refresh();
    return (seconds, process.TotalProcessorTime - cpuBefore, duplicates);
}

using ProductOps.Bench;

// productops-bench: drives a ProductOps node over loopback gRPC and reports what it sustains.
if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception failure) when (failure is ArgumentException or FormatException)
{
    await Console.Error.WriteLineAsync($"{failure.Message}\n\n{BenchOptions.Usage}");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    var report = await new BenchRunner(options, args, Console.Error).RunAsync(cancel.Token);
    await BenchOutput.WriteAsync(report, options, Console.Out);
    return 0;
}
catch (Exception failure) when (failure is not OutOfMemoryException)
{
    await Console.Error.WriteLineAsync($"The benchmark failed: {failure}");
    return 1;
}

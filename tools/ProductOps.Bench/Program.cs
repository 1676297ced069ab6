using ProductOps.Bench;

// productops-bench: drives a ProductOps node over loopback gRPC and reports what it sustains.
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

var report = await new BenchRunner(options, args, Console.Error).RunAsync(cancel.Token);
await BenchOutput.WriteAsync(report, options, Console.Out);
return 0;

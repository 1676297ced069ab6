using Grpc.Core;
using ProductOps.Client;

namespace ProductOps.Cli;

/// <summary>Dispatches to a command, prints help, and turns failures into messages and exit codes.</summary>
internal sealed class CliApp(IReadOnlyList<ICliCommand> commands)
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadUsage = 2;
    public const int Interrupted = 130;

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || IsHelp(args[0]) || args[0] == "help")
        {
            var topic = args.Length > 1 ? Find(args[1]) : null;
            if (topic is not null)
            {
                PrintHelp(topic);
            }
            else
            {
                PrintOverview();
            }

            return args.Length == 0 ? BadUsage : Ok;
        }

        var command = Find(args[0]);
        if (command is null)
        {
            await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Run 'productops --help' for the list.");
            return BadUsage;
        }

        var rest = args[1..];
        if (Array.Exists(rest, IsHelp))
        {
            PrintHelp(command);
            return Ok;
        }

        using var interrupted = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C stops the command cleanly; a second one ends the process.
            e.Cancel = !interrupted.IsCancellationRequested;
            interrupted.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var arguments = CliArguments.Parse(rest, command.Options);
            return await command.RunAsync(arguments, interrupted.Token);
        }
        catch (CliUsageException usage)
        {
            await Console.Error.WriteLineAsync($"{usage.Message} Run 'productops {command.Name} --help'.");
            return BadUsage;
        }
        catch (RpcException rpc)
        {
            var detail = string.IsNullOrEmpty(rpc.Status.Detail) ? string.Empty : $": {rpc.Status.Detail}";
            await Console.Error.WriteLineAsync($"error: {rpc.StatusCode}{detail}{Hint(rpc.StatusCode)}");
            return Failed;
        }
        catch (ProductOpsIngestException ingest)
        {
            await Console.Error.WriteLineAsync($"error: {ingest.Message}{Hint(ingest.StatusCode)}");
            return Failed;
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Interrupted.");
            return Interrupted;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static string Hint(StatusCode status) => status switch
    {
        StatusCode.Unavailable => " (is the server running at that --address?)",
        StatusCode.Unauthenticated => " (check --key)",
        StatusCode.PermissionDenied => " (the key lacks the scope this command needs)",
        _ => string.Empty,
    };

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "-?";

    private ICliCommand? Find(string name)
    {
        foreach (var command in commands)
        {
            if (string.Equals(command.Name, name, StringComparison.Ordinal))
            {
                return command;
            }
        }

        return null;
    }

    private void PrintOverview()
    {
        Console.WriteLine("productops: feed a ProductOps server a simulated product, read its analytics, and train and manage its churn models.");
        Console.WriteLine();
        Console.WriteLine("Usage: productops <command> [options]");
        Console.WriteLine();
        Console.WriteLine("Commands:");
        var width = 0;
        foreach (var command in commands)
        {
            width = Math.Max(width, command.Name.Length);
        }

        foreach (var command in commands)
        {
            Console.WriteLine($"  {command.Name.PadRight(width)}  {command.Summary}");
        }

        Console.WriteLine();
        Console.WriteLine("Run 'productops <command> --help' for a command's options.");
    }

    private static void PrintHelp(ICliCommand command)
    {
        Console.WriteLine(command.Summary);
        Console.WriteLine();
        Console.WriteLine($"Usage: productops {command.Usage}");
        if (command.Options.Count == 0)
        {
            return;
        }

        Console.WriteLine();
        Console.WriteLine("Options:");
        var names = new string[command.Options.Count];
        var width = 0;
        for (var i = 0; i < names.Length; i++)
        {
            var option = command.Options[i];
            names[i] = option.IsFlag ? $"--{option.Name}" : $"--{option.Name} {option.ValueName}";
            width = Math.Max(width, names[i].Length);
        }

        for (var i = 0; i < names.Length; i++)
        {
            var option = command.Options[i];
            var defaultText = option.Default is null ? string.Empty : $" Default: {option.Default}.";
            Console.WriteLine($"  {names[i].PadRight(width)}  {option.Description}{defaultText}");
        }

        Console.WriteLine("  --help".PadRight(width + 4) + "Show this help.");
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>The machine and the versions a run measured, from /proc and the assemblies.</summary>
internal static class MachineInfo
{
    public static JsonObject Describe() => new()
    {
        ["cores"] = Environment.ProcessorCount,
        ["cpu_model"] = ProcLine("/proc/cpuinfo", "model name"),
        ["memory_bytes"] = MemTotal(),
        ["os"] = RuntimeInformation.OSDescription,
        ["load_average_at_start"] = LoadAverage(),
    };

    /// <summary>/proc/loadavg's 1, 5 and 15 minute figures: other work on a shared machine.</summary>
    public static string? LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static JsonObject Versions(string? siloDll) => new()
    {
        ["runtime"] = RuntimeInformation.FrameworkDescription,
        ["orleans"] = siloDll is null ? null : FileVersion(Path.Combine(Path.GetDirectoryName(siloDll)!, "Orleans.Core.dll")),
        ["grpc_net_client"] = FileVersion(typeof(Grpc.Net.Client.GrpcChannel).Assembly.Location),
        ["npgsql"] = FileVersion(typeof(Npgsql.NpgsqlConnection).Assembly.Location),
        ["productops_commit"] = RepoInfo.Commit(),
    };

    /// <summary>The collector's settings the node's processes were started with (their
    /// <c>DOTNET_GC...</c> environment variables, as /proc shows them; empty when none is set, so
    /// the runtime configuration's defaults apply): runs that compare collector settings say which
    /// one they ran.</summary>
    public static JsonObject NodeGcSettings(NodeProcesses node)
    {
        var settings = new JsonObject();
        foreach (var pid in node.Pids)
        {
            string environment;
            try
            {
                environment = File.ReadAllText($"/proc/{pid}/environ");
            }
            catch (Exception failure) when (failure is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var variable in environment.Split('\0'))
            {
                var equals = variable.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0 && variable.StartsWith("DOTNET_GC", StringComparison.OrdinalIgnoreCase))
                {
                    settings[variable[..equals]] = variable[(equals + 1)..];
                }
            }
        }

        return settings;
    }

    private static string? FileVersion(string path) =>
        File.Exists(path) ? FileVersionInfo.GetVersionInfo(path).ProductVersion : null;

    private static string? ProcLine(string file, string key)
    {
        try
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long? MemTotal()
    {
        var value = ProcLine("/proc/meminfo", "MemTotal");
        return value is null ? null : long.Parse(value.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}

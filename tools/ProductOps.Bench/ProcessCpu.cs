using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>CPU used by the node (all its processes), by this client and, for a cluster, by the
/// local PostgreSQL server over an interval, from /proc/&lt;pid&gt;/stat, as a share of one core
/// (200% = both cores of a 2-core machine).</summary>
internal sealed class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly NodeProcesses _node;
    private readonly double? _nodeStart;
    private readonly Dictionary<int, double> _databaseStart;
    private readonly double? _selfStart;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly (double Busy, double Total)? _machineStart = MachineTicks();

    private ProcessCpu(NodeProcesses node)
    {
        _node = node;
        _nodeStart = CpuSeconds(node.Pids);
        _databaseStart = node.CountDatabase ? DatabaseCpu() : [];
        _selfStart = CpuSeconds(Environment.ProcessId);
    }

    public static ProcessCpu Start(NodeProcesses node) => new(node);

    /// <summary>Node, client and whole-machine CPU since start, in percent of one core; what is
    /// left of the machine's busy time was used by other processes sharing the machine.</summary>
    public JsonObject Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double? Percent(double? start, double? end) =>
            start is { } s && end is { } e && wall > 0 ? Math.Round((e - s) / wall * 100, 1) : null;
        var node = Percent(_nodeStart, CpuSeconds(_node.Pids));
        var client = Percent(_selfStart, CpuSeconds(Environment.ProcessId));
        double? database = null;
        if (_node.CountDatabase)
        {
            // Server processes alive at both ends (the pools keep their connections open).
            var now = DatabaseCpu();
            database = Percent(0, _databaseStart.Where(p => now.ContainsKey(p.Key)).Sum(p => now[p.Key] - p.Value));
        }

        double? machine = null;
        if (_machineStart is { } a && MachineTicks() is { } b && b.Total > a.Total)
        {
            machine = Math.Round((b.Busy - a.Busy) / (b.Total - a.Total) * 100 * Environment.ProcessorCount, 1);
        }

        return new JsonObject
        {
            ["node_cpu_percent"] = node,
            ["client_cpu_percent"] = client,
            ["machine_cpu_percent"] = machine,
            ["database_cpu_percent"] = database,
            ["other_processes_cpu_percent"] = machine is { } m && client is { } c ? Math.Round(Math.Max(0, m - c - (node ?? 0) - (database ?? 0)), 1) : null,
            ["cores"] = Environment.ProcessorCount,
        };
    }

    /// <summary>The first line of /proc/stat: busy and total jiffies of all CPUs.</summary>
    private static (double Busy, double Total)? MachineTicks()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var idle = values[3] + values[4];
            var total = values.Take(8).Sum();
            return (total - idle, total);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>utime + stime of all the processes, in seconds; null if there are none or one cannot be read.</summary>
    private static double? CpuSeconds(IReadOnlyList<int> pids) => SumOver(pids, CpuSeconds);

    /// <summary>What <paramref name="read"/> gives for each process, added up; null if there are
    /// no processes or one cannot be read.</summary>
    private static double? SumOver(IReadOnlyList<int> pids, Func<int, double?> read)
    {
        double total = 0;
        foreach (var pid in pids)
        {
            if (read(pid) is not { } value)
            {
                return null;
            }

            total += value;
        }

        return pids.Count > 0 ? total : null;
    }

    /// <summary>CPU seconds of each running PostgreSQL server process (command name "postgres").</summary>
    private static Dictionary<int, double> DatabaseCpu()
    {
        var cpu = new Dictionary<int, double>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadComm(pid) == "postgres" && CpuSeconds(pid) is { } seconds)
            {
                cpu[pid] = seconds;
            }
        }

        return cpu;
    }

    private static string? ReadComm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>utime + stime of a process, in seconds; null if it cannot be read.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may contain spaces.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Resident set size of all the processes in bytes; null if one cannot be read.</summary>
    public static long? RssBytes(IReadOnlyList<int> pids) => (long?)SumOver(pids, pid => RssBytes(pid));

    /// <summary>Resident set size of a process in bytes, from /proc/&lt;pid&gt;/status.</summary>
    public static long? RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}

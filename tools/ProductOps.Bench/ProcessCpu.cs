using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace ProductOps.Bench;

/// <summary>CPU used by the node and by this client over an interval, from /proc/&lt;pid&gt;/stat, as
/// a share of one core (200% = both cores of a 2-core machine).</summary>
internal sealed class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private readonly int? _nodePid;
    private readonly double? _nodeStart;
    private readonly double? _selfStart;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly (double Busy, double Total)? _machineStart = MachineTicks();

    private ProcessCpu(int? nodePid)
    {
        _nodePid = nodePid;
        _nodeStart = nodePid is { } pid ? CpuSeconds(pid) : null;
        _selfStart = CpuSeconds(Environment.ProcessId);
    }

    public static ProcessCpu Start(int? nodePid) => new(nodePid);

    /// <summary>Node, client and whole-machine CPU since start, in percent of one core; what is
    /// left of the machine's busy time was used by other processes sharing the machine.</summary>
    public JsonObject Stop()
    {
        var wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double? Percent(double? start, double? end) =>
            start is { } s && end is { } e && wall > 0 ? Math.Round((e - s) / wall * 100, 1) : null;
        var node = Percent(_nodeStart, _nodePid is { } pid ? CpuSeconds(pid) : null);
        var client = Percent(_selfStart, CpuSeconds(Environment.ProcessId));
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
            ["other_processes_cpu_percent"] = machine is { } m && client is { } c ? Math.Round(Math.Max(0, m - c - (node ?? 0)), 1) : null,
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

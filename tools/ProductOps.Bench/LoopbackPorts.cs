using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ProductOps.Processes;

/// <summary>Ports for child processes (the harness's nodes, the tests' silos and gateways). One
/// source, compiled into both the harness and the tests' helpers (ProductOps.Testing links it),
/// which share no library.</summary>
public static class LoopbackPorts
{
    /// <summary>Free ports, all held open together so they differ, taken below the range the OS
    /// hands out to outgoing connections where it says which that is.</summary>
    /// <remarks>A child binds its ports seconds after they are chosen. A port from the OS's own
    /// range (what port 0 gives) can meanwhile become the local end of some outgoing connection
    /// (the cluster's silos open dozens to PostgreSQL as they start), and the child then fails
    /// with "address already in use": seen once in a dozen runs of the multi-process test.</remarks>
    public static int[] Free(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            var (low, high) = PortsOutsideEphemeralRange();
            for (var attempt = 0; listeners.Count < count && attempt < 200; attempt++)
            {
                var listener = new TcpListener(IPAddress.Loopback, low < high ? Random.Shared.Next(low, high) : 0);
                try
                {
                    listener.Start();
                    listeners.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose(); // another listener has it: try the next
                }
            }

            if (listeners.Count < count)
            {
                throw new InvalidOperationException($"found {listeners.Count} of {count} free ports");
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }

    /// <summary>Ports [low, high) below the start of Linux's ephemeral range; (0, 0), so port 0,
    /// where that range cannot be read or leaves no room.</summary>
    private static (int Low, int High) PortsOutsideEphemeralRange()
    {
        const int Lowest = 10_000; // above the well-known and most registered services' ports
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var start = int.Parse(range[0], CultureInfo.InvariantCulture);
            return start - Lowest >= 1_000 ? (Lowest, start) : (0, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (0, 0);
        }
    }
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ProductOps.Grains;

namespace ProductOps.Cluster.Tests;

/// <summary>Keeps the warnings partition grains log, for tests that check what was said and how
/// often. (Static: the silos share this process; tests tell their lines apart by content.)</summary>
public sealed class CapturedWarnings : ILoggerProvider
{
    private static readonly ConcurrentQueue<string> s_lines = new();

    public static IReadOnlyList<string> Lines => [.. s_lines];

    public ILogger CreateLogger(string categoryName) =>
        categoryName == typeof(PartitionGrain).FullName ? new Capture() : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Capture : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                s_lines.Enqueue(formatter(state, exception));
            }
        }
    }
}

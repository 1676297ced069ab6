namespace ProductOps.Bench;

/// <summary>What the harness started and measures: an all-in-one node or a PostgreSQL cluster.</summary>
internal interface INodeUnderTest : IAsyncDisposable
{
    /// <summary>The gRPC address the client talks to.</summary>
    Uri Grpc { get; }

    NodeProcesses Processes { get; }

    /// <summary>The report's one-line description of what ran.</summary>
    string Mode { get; }

    /// <summary>The silo build whose versions the report records.</summary>
    string SiloDll { get; }

    /// <summary>Where the processes' logs are copied when stopped (FILE.&lt;process&gt;.log); null: not kept.</summary>
    string? KeepLogsAt { get; set; }

    /// <summary>Warning and error lines in all the processes' logs so far.</summary>
    (int Warnings, int Errors) LogCounts();
}

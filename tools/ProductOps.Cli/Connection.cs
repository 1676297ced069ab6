using ProductOps.Client;

namespace ProductOps.Cli;

/// <summary>The --address and key options every command shares, and the client they make.</summary>
internal static class Connection
{
    public const string DefaultAddress = "http://127.0.0.1:5000";
    public const string DemoIngestKey = "demo-ingest-key";
    public const string DemoReadKey = "demo-read-key";

    public static readonly CliOption Address = new("address", "URL", "Gateway gRPC address.", DefaultAddress);

    public static readonly CliOption ReadKey = new("key", "KEY", "API key with the read scope.", DemoReadKey);

    /// <summary>A client for queries only.</summary>
    public static ProductOpsClient ForQueries(CliArguments arguments)
    {
        var key = arguments.GetString(ReadKey.Name);
        return new ProductOpsClient(new ProductOpsClientOptions
        {
            Address = arguments.GetUri(Address.Name),
            ApiKey = key,
            QueryApiKey = key,
        });
    }
}

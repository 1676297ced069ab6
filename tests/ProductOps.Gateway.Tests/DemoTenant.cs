using Grpc.Core;

namespace ProductOps.Gateway.Tests;

/// <summary>The demo tenant every all-in-one node is configured with, and its well-known keys.</summary>
public static class DemoTenant
{
    public const string Id = "demo";
    public const string IngestKey = "demo-ingest-key";
    public const string ReadKey = "demo-read-key";
    public const string AdminKey = "demo-admin-key";

    public static Metadata Ingest { get; } = Headers(IngestKey);

    public static Metadata Read { get; } = Headers(ReadKey);

    /// <summary>Call metadata with an API key and, optionally, the x-tenant header.</summary>
    public static Metadata Headers(string apiKey, string? tenant = null)
    {
        var headers = new Metadata { { "x-api-key", apiKey } };
        if (tenant is not null)
        {
            headers.Add("x-tenant", tenant);
        }

        return headers;
    }
}

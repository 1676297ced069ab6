using Grpc.Core;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// Tenants the admin tests configure on their node, by configuration settings: "replay" on the
/// event clock (months of simulated history replay in seconds) with small minimum data, and
/// "sparse" for a history too short to train on. Neither trains on a schedule, so every job is
/// one a test started. Trainings use few trees, to keep the tests quick.
/// </summary>
public static class AdminTenants
{
    public const string Replay = "replay";
    public const string Sparse = "sparse";
    public const int MinExamples = 20;

    public static Metadata Admin(string tenant) => DemoTenant.Headers($"{tenant}-admin-key");

    public static Metadata Read(string tenant) => DemoTenant.Headers($"{tenant}-read-key");

    public static Metadata Ingest(string tenant) => DemoTenant.Headers($"{tenant}-ingest-key");

    public static IReadOnlyDictionary<string, string> NodeSettings { get; } =
        TenantSettings(Replay)
            .Concat(TenantSettings(Sparse))
            .Append(new("ProductOps:Churn:Training:Trainer:NumberOfTrees", "20"))
            .Append(new("ProductOps:Churn:Training:SettingsRefreshInterval", "00:00:01"))
            .ToDictionary(StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, string>> TenantSettings(string tenant)
    {
        var prefix = $"ProductOps:Tenants:{tenant}";
        yield return new($"{prefix}:Clock", "Event");
        yield return new($"{prefix}:TrainingIntervalHours", "0");
        yield return new($"{prefix}:MinChurned", $"{MinExamples}");
        yield return new($"{prefix}:MinRetained", $"{MinExamples}");
        string[] scopes = ["admin", "read", "ingest"];
        for (var i = 0; i < scopes.Length; i++)
        {
            yield return new($"{prefix}:Keys:{i}:Key", $"{tenant}-{scopes[i]}-key");
            yield return new($"{prefix}:Keys:{i}:Scopes:0", scopes[i]);
        }
    }
}

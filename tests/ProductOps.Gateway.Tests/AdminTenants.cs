using Grpc.Core;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// Tenants the admin tests configure on their node, by command-line arguments: "replay" on the
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

    public static IReadOnlyList<string> NodeArguments { get; } =
    [
        .. TenantArguments(Replay),
        .. TenantArguments(Sparse),
        "--ProductOps:Churn:Training:Trainer:NumberOfTrees=20",
        "--ProductOps:Churn:Training:SettingsRefreshInterval=00:00:01",
    ];

    private static IEnumerable<string> TenantArguments(string tenant)
    {
        var prefix = $"--ProductOps:Tenants:{tenant}";
        yield return $"{prefix}:Clock=Event";
        yield return $"{prefix}:TrainingIntervalHours=0";
        yield return $"{prefix}:MinChurned={MinExamples}";
        yield return $"{prefix}:MinRetained={MinExamples}";
        string[] scopes = ["admin", "read", "ingest"];
        for (var i = 0; i < scopes.Length; i++)
        {
            yield return $"{prefix}:Keys:{i}:Key={tenant}-{scopes[i]}-key";
            yield return $"{prefix}:Keys:{i}:Scopes:0={scopes[i]}";
        }
    }
}

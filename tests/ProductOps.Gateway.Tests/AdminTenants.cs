using Grpc.Core;

namespace ProductOps.Gateway.Tests;

/// <summary>
/// Tenants the admin tests configure on their node, by configuration settings: "replay",
/// "unstorable", "pinned", "refusing" and "relabelled" on the event clock (months of simulated history replay in
/// seconds) with small minimum data, and "sparse" for a history too short to train on. None
/// trains on a schedule, so every job is one a test started. Trainings use few trees, to keep
/// the tests quick. The tenants added for activation tests use a churn horizon of 3 days, at
/// which the simulation's model beats the recency baseline by a margin (0.834 vs 0.790 AUC; at
/// the default 14 days, with 20 trees, by a few thousandths).
/// </summary>
public static class AdminTenants
{
    public const string Replay = "replay";
    public const string Sparse = "sparse";
    public const string Pinned = "pinned";
    public const string Refusing = "refusing";
    public const string Unstorable = "unstorable";
    public const string Relabelled = "relabelled";
    public const int MinExamples = 20;
    public const int HorizonDays = 3;

    public static Metadata Admin(string tenant) => DemoTenant.Headers($"{tenant}-admin-key");

    public static Metadata Read(string tenant) => DemoTenant.Headers($"{tenant}-read-key");

    public static Metadata Ingest(string tenant) => DemoTenant.Headers($"{tenant}-ingest-key");

    public static IReadOnlyDictionary<string, string> NodeSettings { get; } =
        new[] { Replay, Sparse, Unstorable }.SelectMany(t => TenantSettings(t))
            .Concat(new[] { Pinned, Refusing, Relabelled }.SelectMany(t => TenantSettings(t, HorizonDays)))
            .Append(new("ProductOps:Churn:Training:Trainer:NumberOfTrees", "20"))
            .Append(new("ProductOps:Churn:Training:SettingsRefreshInterval", "00:00:01"))
            .ToDictionary(StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, string>> TenantSettings(string tenant, int? horizonDays = null)
    {
        var prefix = $"ProductOps:Tenants:{tenant}";
        yield return new($"{prefix}:Clock", "Event");
        if (horizonDays is { } days)
        {
            yield return new($"{prefix}:ChurnHorizonDays", $"{days}");
        }

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

using System.Globalization;
using ProductOps.Contracts.V1;
using ProductOps.Testing;

namespace ProductOps.Gateway.Tests;

/// <summary>The productops CLI's churn commands against the node with a trained model: what an
/// operator reads in the terminal is what the query API answers.</summary>
[Collection(ChurnNodeCollection.Name)]
public sealed class CliChurnTests(ChurnNodeFixture fixture)
{
    [Fact]
    public async Task AtRisk_ScoredNode_ListsTheApisUsersInOrderWithProbabilityAndReasons()
    {
        await fixture.ExportWhenSweptAsync();
        var expected = await fixture.Query.ListAtRiskUsersAsync(new ListAtRiskUsersRequest { PageSize = 5 }, ChurnNodeFixture.Read);
        Assert.Equal(5, expected.Users.Count);

        var lines = await RunAsync("at-risk", "--limit", "5");

        Assert.StartsWith("Users at risk (probability at least the alert threshold, 50.0%), highest first", lines[0], StringComparison.Ordinal);
        var rows = lines.Where(l => l.StartsWith("user-", StringComparison.Ordinal)).ToList();
        Assert.Equal(expected.Users.Select(u => u.UserId), rows.Select(r => r.Split(' ')[0]));
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Contains($" {Rate(expected.Users[i].Probability)}  yes ", rows[i], StringComparison.Ordinal);
            Assert.EndsWith(string.Join("; ", expected.Users[i].Reasons), rows[i], StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Risk_ScoredUser_PrintsTheProbabilityModelAndEveryReason()
    {
        var user = (await fixture.ExportWhenSweptAsync()).First(v => v.AtRisk).UserId;
        var expected = await fixture.Query.GetChurnRiskAsync(new GetChurnRiskRequest { UserId = user }, ChurnNodeFixture.Read);

        var output = string.Join('\n', await RunAsync("risk", user));

        Assert.StartsWith($"User {user}: churn probability {Rate(expected.Probability)}, at risk", output, StringComparison.Ordinal);
        Assert.Contains($"model      version {fixture.ModelVersion}", output, StringComparison.Ordinal);
        Assert.NotEmpty(expected.Reasons);
        Assert.All(expected.Reasons, reason => Assert.Contains(reason, output, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Export_ScoredNode_OneCsvRowPerUserAsTheApiExports()
    {
        var exported = await fixture.ExportWhenSweptAsync();

        var lines = await RunAsync("export");

        Assert.Equal("user_id,probability,at_risk,model_version,scored_at,cancelled_at,reasons", lines[0]);
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToDictionary(r => r[0], StringComparer.Ordinal);
        Assert.Equal(exported.Select(v => v.UserId).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        Assert.All(exported, v =>
        {
            var row = rows[v.UserId];
            Assert.Equal(v.AtRisk ? "true" : "false", row[2]);
            Assert.Equal(v.CancelledAt is null, row[5].Length == 0);
            if (v.HasProbability)
            {
                Assert.Equal(v.Probability, double.Parse(row[1], CultureInfo.InvariantCulture), 6);
            }
        });
    }

    [Fact]
    public async Task Overview_ScoredNode_PrintsTheChurnCounts()
    {
        await fixture.ExportWhenSweptAsync();
        var churn = (await fixture.Query.GetOverviewAsync(new GetOverviewRequest(), ChurnNodeFixture.Read)).Churn;

        var lines = await RunAsync("overview");

        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"churn: model version {fixture.ModelVersion} · {churn.AtRiskUsers:N0} at risk (alert threshold 50.0%) · "
            + $"{churn.ScoredUsers:N0} scored · {churn.CancelledUsers:N0} cancelled · {churn.Users:N0} users"), lines);
    }

    private static string Rate(double probability) => probability.ToString("P1", CultureInfo.InvariantCulture).Replace(" ", string.Empty, StringComparison.Ordinal);

    private async Task<string[]> RunAsync(params string[] command)
    {
        var (exitCode, output, error) = await CliProcess.RunAsync(
            [.. command, "--address", $"http://127.0.0.1:{fixture.Node.GrpcPort}", "--key", ChurnNodeFixture.ReadKey]);
        Assert.True(exitCode == 0, $"productops {string.Join(' ', command)} exited {exitCode}: {error}");
        return output.Split('\n', StringSplitOptions.TrimEntries);
    }
}

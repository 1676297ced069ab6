namespace ProductOps.Bench.Tests;

public sealed class BenchOptionsTests
{
    [Fact]
    public void Parse_ClusterWithAnAddress_IsRefused() =>
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--cluster", "3", "--address", "http://127.0.0.1:5100"]));

    [Fact]
    public void Parse_ClusterWithoutAnyServer_IsRefused() =>
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--cluster", "2", "--no-postgres"]));

    [Fact]
    public void Parse_Cluster_ItsDatabaseServerDefaultsToTheBaselines()
    {
        var options = BenchOptions.Parse(["--cluster", "3", "--postgres", "Host=db;Username=bench;Database=bench"]);

        Assert.Equal(3, options.ClusterSilos);
        Assert.Equal("Host=db;Username=bench;Database=bench", options.ClusterPostgres);
    }

    [Fact]
    public void Parse_NodePids_TakesACommaSeparatedList() =>
        Assert.Equal([11, 12, 13], BenchOptions.Parse(["--address", "http://127.0.0.1:5100", "--node-pid", "11,12,13"]).NodePids);

    [Fact]
    public void Parse_Quick_SetsTheShortProfileAndKeepsExplicitValues()
    {
        var options = BenchOptions.Parse(["--quick", "--batch", "200", "--no-postgres"]);

        Assert.Equal(BenchProfile.Quick, options.Profile);
        Assert.Equal(200, options.BatchSize);
        Assert.Null(options.Postgres);
        Assert.True(options.SaturationDuration < TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Parse_LoadBase_IsKeptAndMustBePositive()
    {
        Assert.Null(BenchOptions.Parse(["--quick"]).LoadBase);
        Assert.Equal(70_000, BenchOptions.Parse(["--quick", "--load-base", "70000"]).LoadBase);
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--quick", "--load-base", "0"]));
    }

    [Fact]
    public void Redacted_HidesTheKeysAndTheDatabasePasswords()
    {
        string[] args = ["--quick", "--ingest-key", "secret-ingest", "--read-key", "secret-read", "--admin-key", "secret-admin",
            "--postgres", "Host=db;Username=bench;Password=secret-db;Database=bench", "--batch", "200",
            "--cluster-postgres", "Host=db;Username=admin;Password=secret-admin;Database=postgres;SSL Password=secret-client-key"];

        var recorded = string.Join(" ", BenchOptions.Redacted(args));

        Assert.DoesNotContain("secret", recorded, StringComparison.Ordinal);
        Assert.Contains("--ingest-key *** --read-key *** --admin-key ***", recorded, StringComparison.Ordinal);
        Assert.Contains("Username=bench", recorded, StringComparison.Ordinal);
        Assert.Contains("Username=admin", recorded, StringComparison.Ordinal);
        Assert.Contains("--batch 200", recorded, StringComparison.Ordinal);
    }

    [Fact]
    public void LatencySummary_NearestRank_GivesP50P99AndMax()
    {
        var summary = LatencySummary.Of(Enumerable.Range(1, 100).Select(i => (double)i))!;

        Assert.Equal(50, summary.P50);
        Assert.Equal(99, summary.P99);
        Assert.Equal(100, summary.Max);
    }

    [Fact]
    public void Parse_Search_ProbesAndBoundAreKeptAndChecked()
    {
        Assert.Equal(3, BenchOptions.Parse(["--quick"]).SearchProbes);
        var options = BenchOptions.Parse(["--quick", "--search-probes", "0", "--ack-bound-ms", "50"]);

        Assert.Equal(0, options.SearchProbes);
        Assert.Equal(50, options.AckBoundMs);
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--quick", "--search-probes", "-1"]));
        Assert.Throws<ArgumentException>(() => BenchOptions.Parse(["--quick", "--ack-bound-ms", "0"]));
    }
}

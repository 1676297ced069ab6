namespace ProductOps.Gateway.Tests;

/// <summary>How the node refuses to start; each test runs a process of its own.</summary>
public sealed class StartupTests
{
    [Fact]
    public async Task Start_ProductionWithDevKeysWithoutLocalTrial_ExitsNonZeroNamingLocalTrial()
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: false, environmentName: "Production");

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:LocalTrial", silo.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BadPipelineSetting_ExitsNonZeroNamingTheSettingAndWhy()
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(
            data.Path, localTrial: true, settings: new Dictionary<string, string> { ["ProductOps:Pipeline:Partitions"] = "0" });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("ProductOps:Pipeline:Partitions must be 1-4096, not 0", silo.Output, StringComparison.Ordinal);
    }
}

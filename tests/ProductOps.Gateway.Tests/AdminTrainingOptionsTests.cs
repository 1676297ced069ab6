namespace ProductOps.Gateway.Tests;

/// <summary>A node refuses to start with churn training or serving settings that cannot work,
/// naming the setting, its range and the value; each test runs a process of its own.</summary>
public sealed class AdminTrainingOptionsTests
{
    [Theory]
    [InlineData("ProductOps:Churn:Training:Cutoffs:CutoffEveryDays", "0", "must be 1-365, not 0")]
    [InlineData("ProductOps:Churn:Training:Cutoffs:MaxCutoffs", "1", "must be 2-3650, not 1")]
    [InlineData("ProductOps:Churn:Training:Trainer:NumberOfLeaves", "1", "must be 2-1024, not 1")]
    [InlineData("ProductOps:Churn:Training:Trainer:LearningRate", "-0.5", "must be above 0 and at most 1, not -0.5")]
    [InlineData("ProductOps:Churn:Training:Trainer:MinChurned", "20", "is not read: the minimum examples are a tenant setting (ProductOps:Tenants:<id>:MinChurned, or UpdateTenantSettings)")]
    [InlineData("ProductOps:Churn:Training:MaxJobDuration", "00:00:00", "must be above zero, not 00:00:00")]
    [InlineData("ProductOps:Churn:SweepConcurrency", "0", "must be 1-10000, not 0")]
    public async Task Start_BadChurnSetting_ExitsNonZeroNamingTheSettingRangeAndValue(string setting, string value, string why)
    {
        using var data = new TempDirectory();
        await using var silo = SiloProcess.Launch(data.Path, localTrial: true, settings: new Dictionary<string, string> { [setting] = value });

        var exitCode = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"{setting} {why}", silo.Output, StringComparison.Ordinal);
    }
}

using ProductOps.Grains.Abstractions;

namespace ProductOps.Cluster.Tests;

/// <summary>A pipeline shape that cannot work is refused at start, naming the setting.</summary>
public sealed class PipelineOptionsValidatorTests
{
    [Fact]
    public void Defaults_Valid() =>
        Assert.True(new PipelineOptionsValidator().Validate(null, new PipelineOptions()).Succeeded);

    [Theory]
    [InlineData("Partitions", "0")]
    [InlineData("Partitions", "5000")]
    [InlineData("CheckpointInterval", "00:00:00")]
    [InlineData("DispatchGatherDelay", "-00:00:00.010")]
    [InlineData("DispatchGatherDelay", "00:01:00")]
    [InlineData("HandOffTimeout", "00:00:00")]
    [InlineData("MaxDispatchEvents", "0")]
    [InlineData("MaxConcurrentUserCalls", "-1")]
    [InlineData("UserSnapshotEvery", "0")]
    [InlineData("ReceiverHistoryRewriteAfter", "0")]
    public void OneBadSetting_FailsNamingIt(string setting, string value)
    {
        var options = new PipelineOptions();
        var property = typeof(PipelineOptions).GetProperty(setting)!;
        property.SetValue(options, property.PropertyType == typeof(TimeSpan) ? TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : int.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var result = new PipelineOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"ProductOps:Pipeline:{setting} must be", failure, StringComparison.Ordinal);
    }
}

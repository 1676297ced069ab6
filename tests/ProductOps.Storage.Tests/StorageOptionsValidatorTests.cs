using System.Globalization;

namespace ProductOps.Storage.Tests;

/// <summary>Embedded-store settings that cannot work are refused at start, naming the setting.</summary>
public sealed class StorageOptionsValidatorTests
{
    [Fact]
    public void Defaults_Valid() =>
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions()).Succeeded);

    [Fact]
    public void DedupFilterOff_Valid() =>
        Assert.True(new StorageOptionsValidator().Validate(null, new StorageOptions { DedupFilterMaxBytes = 0 }).Succeeded);

    [Theory]
    [InlineData("DedupMergeEvents", "0")]
    [InlineData("DedupMergeEvents", "1000001")]
    [InlineData("DedupFilterMaxBytes", "1048575")]
    [InlineData("DedupFilterMaxBytes", "-1")]
    [InlineData("LogWriterPageCacheKiB", "15")]
    [InlineData("LogWriterPageCacheKiB", "1048577")]
    public void OneBadSetting_FailsNamingIt(string setting, string value)
    {
        var options = new StorageOptions();
        var property = typeof(StorageOptions).GetProperty(setting)!;
        property.SetValue(options, Convert.ChangeType(value, property.PropertyType, CultureInfo.InvariantCulture));

        var result = new StorageOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith($"ProductOps:{setting} must be", failure, StringComparison.Ordinal);
        Assert.Contains($"not {long.Parse(value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture)}", failure, StringComparison.Ordinal);
    }
}

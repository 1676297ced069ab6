using System.Globalization;
using ProductOps.Domain;

namespace ProductOps.Churn.Tests;

/// <summary>Cutoff and trainer settings that cannot work are refused, naming the setting, its
/// range and the value, at start (through the silo's validator) and on every call.</summary>
public sealed class TrainingOptionsValidationTests
{
    private const string Cutoffs = "ProductOps:Churn:Training:Cutoffs";
    private const string Trainer = "ProductOps:Churn:Training:Trainer";

    [Fact]
    public void Validate_Defaults_NoFailures()
    {
        Assert.Empty(new TrainingSetOptions().Validate(Cutoffs));
        Assert.Empty(new ChurnTrainingOptions().Validate(Trainer));
    }

    [Theory]
    [InlineData("CutoffEveryDays", "0", "1-365")]
    [InlineData("CutoffEveryDays", "-1", "1-365")]
    [InlineData("CutoffEveryDays", "366", "1-365")]
    [InlineData("MaxCutoffs", "1", "2-3650")]
    [InlineData("MaxCutoffs", "0", "2-3650")]
    [InlineData("MaxCutoffs", "3651", "2-3650")]
    [InlineData("MinHistoryDays", "0", "1-3650")]
    [InlineData("MinHistoryDays", "-3", "1-3650")]
    public void Validate_OneBadCutoffSetting_FailsNamingSettingRangeAndValue(string setting, string value, string range)
    {
        var options = new TrainingSetOptions();
        Set(options, setting, value);

        var failure = Assert.Single(options.Validate(Cutoffs));

        Assert.Equal($"{Cutoffs}:{setting} must be {range}, not {value}", failure);
    }

    [Theory]
    [InlineData("NumberOfTrees", "0", "1-10000")]
    [InlineData("NumberOfTrees", "10001", "1-10000")]
    [InlineData("NumberOfLeaves", "1", "2-1024")]
    [InlineData("NumberOfLeaves", "-5", "2-1024")]
    [InlineData("MinimumExampleCountPerLeaf", "0", "1-100000")]
    [InlineData("LearningRate", "0", "above 0 and at most 1")]
    [InlineData("LearningRate", "-0.1", "above 0 and at most 1")]
    [InlineData("LearningRate", "1.5", "above 0 and at most 1")]
    [InlineData("LearningRate", "NaN", "above 0 and at most 1")]
    [InlineData("ValidationShare", "0", "above 0 and below 1")]
    [InlineData("ValidationShare", "1", "above 0 and below 1")]
    [InlineData("ValidationShare", "NaN", "above 0 and below 1")]
    public void Validate_OneBadTrainerSetting_FailsNamingSettingRangeAndValue(string setting, string value, string range)
    {
        var options = new ChurnTrainingOptions();
        Set(options, setting, value);

        var failure = Assert.Single(options.Validate(Trainer));

        Assert.Equal($"{Trainer}:{setting} must be {range}, not {value}", failure);
    }

    [Fact]
    public void CutoffsFor_StepOfZero_ThrowsNamingTheSetting()
    {
        // A step of 0 used to lay MaxCutoffs identical cutoffs over the data.
        var start = new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var end = start + (90 * TimeBuckets.MsPerDay);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            TrainingSetBuilder.CutoffsFor(start, end, 14, new TrainingSetOptions { CutoffEveryDays = 0 }));

        Assert.Contains("CutoffEveryDays must be 1-365, not 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CutoffsFor_NegativeStep_ThrowsInsteadOfWalkingPastTheData()
    {
        var start = new DateTimeOffset(2025, 1, 6, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var end = start + (90 * TimeBuckets.MsPerDay);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            TrainingSetBuilder.CutoffsFor(start, end, 14, new TrainingSetOptions { CutoffEveryDays = -2 }));

        Assert.Contains("CutoffEveryDays must be 1-365, not -2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_OneLeafPerTree_ThrowsNamingTheSettingBeforeReadingTheData()
    {
        var set = new TrainingSet([], [], 0, 0, 14);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ChurnTrainer.Train(set, new ChurnTrainingOptions { NumberOfLeaves = 1 }));

        Assert.Contains("NumberOfLeaves must be 2-1024, not 1", e.Message, StringComparison.Ordinal);
    }

    private static void Set(object options, string setting, string value)
    {
        var property = options.GetType().GetProperty(setting)!;
        property.SetValue(options, Convert.ChangeType(value, property.PropertyType, CultureInfo.InvariantCulture));
    }
}

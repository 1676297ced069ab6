using Microsoft.Extensions.Options;

namespace ProductOps.Storage.Tests;

/// <summary>The embedded data set records its partition count once and reports it ever after.</summary>
public sealed class SqliteDataSetRecordTests : IDisposable
{
    private const string Setting = "ProductOps:Pipeline:Partitions";
    private readonly string _dataDir = Directory.CreateTempSubdirectory("productops-dataset-").FullName;

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task RecordPartitions_FreshDataSet_RecordsTheConfiguredCount()
    {
        var recorded = await Record().RecordPartitionsAsync(8);

        Assert.Equal(new RecordedPartitions(8, AtLeast: false), recorded);
        Assert.True(File.Exists(Path.Combine(_dataDir, "state.db")));
        Assert.Equal(new RecordedPartitions(8, AtLeast: false), await Record().RecordPartitionsAsync(8)); // a restart as configured
        recorded.Verify(Setting, 8, Record().Location);
    }

    [Fact]
    public async Task RecordPartitions_OtherCountOnRecordedDataSet_KeepsTheRecordAndVerifyNamesSettingAndBothCounts()
    {
        await Record().RecordPartitionsAsync(8);

        var recorded = await Record().RecordPartitionsAsync(16);

        Assert.Equal(new RecordedPartitions(8, AtLeast: false), recorded);
        var mismatch = Assert.Throws<PartitionCountMismatchException>(() => recorded.Verify(Setting, 16, Record().Location));
        Assert.StartsWith($"{Setting} is 16, but this data set was created with 8 partitions (recorded in {Record().Location})", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal(new RecordedPartitions(8, AtLeast: false), await Record().RecordPartitionsAsync(4));
    }

    [Fact]
    public async Task RecordPartitions_UnrecordedLogWithPartitionPastTheCount_RecordsNothingAndReportsTheLeastCount()
    {
        // A data set of an earlier build, written with 12 partitions: one file per partition.
        using (var log = new SqliteEventLog(Options.Create(new StorageOptions { DataDir = _dataDir })))
        {
            foreach (var partition in Enumerable.Range(0, 12))
            {
                await log.GetHeadAsync(partition);
            }
        }

        var tooFew = await Record().RecordPartitionsAsync(8);
        var asWritten = await Record().RecordPartitionsAsync(12);

        Assert.Equal(new RecordedPartitions(12, AtLeast: true), tooFew);
        var mismatch = Assert.Throws<PartitionCountMismatchException>(() => tooFew.Verify(Setting, 8, Record().Location));
        Assert.Contains("already holds partition 11: it was written with at least 12 partitions", mismatch.Message, StringComparison.Ordinal);
        Assert.Equal(new RecordedPartitions(12, AtLeast: false), asWritten);
        Assert.Equal(new RecordedPartitions(12, AtLeast: false), await Record().RecordPartitionsAsync(16));
    }

    private SqliteDataSetRecord Record() => new(Options.Create(new StorageOptions { DataDir = _dataDir }));
}

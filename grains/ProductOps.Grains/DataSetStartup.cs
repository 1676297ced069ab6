using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// Refuses to start a silo whose partition count is not its data set's: it would route events to
/// the wrong partitions, and user grains would catch up from another partition's seq space. Runs
/// before storage and membership start (after a PostgreSQL store's migrations), so nothing is
/// written or served with the wrong count; records the count on a fresh data set.
/// </summary>
/// <remarks>The record is the store's (added by the host, before or after the pipeline); a store
/// that keeps none is not checked.</remarks>
internal sealed partial class DataSetStartup(IEnumerable<IDataSetRecord> records, IOptions<PipelineOptions> options, ILogger<DataSetStartup> logger)
    : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>The setting a mismatch names.</summary>
    public const string Setting = PipelineOptions.Section + ":" + nameof(PipelineOptions.Partitions);

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(DataSetStartup), ServiceLifecycleStage.RuntimeInitialize - 1, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (records.LastOrDefault() is not { } record)
        {
            return;
        }

        var configured = options.Value.Partitions;
        var recorded = await record.RecordPartitionsAsync(configured, cancellationToken);
        recorded.Verify(Setting, configured, record.Location);
        LogPartitions(logger, configured, record.Location);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Data set ({Location}) has {Partitions} event-log partitions, as configured")]
    private static partial void LogPartitions(ILogger logger, int partitions, string location);
}

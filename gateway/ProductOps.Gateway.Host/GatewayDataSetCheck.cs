using Microsoft.Extensions.Options;
using Npgsql;
using ProductOps.Grains.Abstractions;
using ProductOps.Storage;
using ProductOps.Storage.Postgres;

namespace ProductOps.Gateway.Host;

/// <summary>
/// A gateway routes each event to partition hash(tenant, user) % Partitions: with another count
/// than the data set's it would send events to the wrong partitions. With the PostgreSQL store it
/// can read the count the silos recorded, and refuses to start on a mismatch. It checks once the
/// client has reached a silo, which records the count before it joins the cluster. (With the
/// embedded store the gateway has no access to the silos' data folder; the silos check.)
/// </summary>
internal sealed partial class GatewayDataSetCheck(IOptions<PostgresOptions> postgres, IOptions<PipelineOptions> pipeline, ILogger<GatewayDataSetCheck> logger)
    : ILifecycleParticipant<IClusterClientLifecycle>
{
    private const string Setting = PipelineOptions.Section + ":" + nameof(PipelineOptions.Partitions);

    public void Participate(IClusterClientLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(GatewayDataSetCheck), ServiceLifecycleStage.BecomeActive, CheckAsync);

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(postgres.Value.ConnectionString);
        var record = new PostgresDataSetRecord(dataSource);
        var configured = pipeline.Value.Partitions;
        if (await record.ReadPartitionsAsync(cancellationToken) is not { } recorded)
        {
            NotRecorded(logger, configured); // silos of a build that records no count
            return;
        }

        new RecordedPartitions(recorded, AtLeast: false).Verify(Setting, configured, record.Location);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The data set records no partition count (silos of an earlier build?); routing with the configured {Partitions}")]
    private static partial void NotRecorded(ILogger logger, int partitions);
}

using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ProductOps.Contracts.V1;
using ProductOps.Domain;

namespace ProductOps.Postgres.Tests;

/// <summary>How the multi-process tests send: a batch again and again, always with the same event
/// ids, as a client rides out failures, until it is acked.</summary>
internal static class AckedBatches
{
    /// <summary>Sends a batch until acked; returns the events it acked (all but rejected ones).</summary>
    /// <param name="ingest">The gateway's ingest client.</param>
    /// <param name="key">The tenant's ingest key.</param>
    /// <param name="batch">The events, sent with the same ids each time.</param>
    /// <param name="patience">How long to keep sending; past it, the failure is thrown.</param>
    /// <param name="retries">Told each failure; whether to send again after it.</param>
    /// <param name="cancellationToken">Ends the sending.</param>
    public static async Task<List<TrackedEvent>> SendUntilAckedAsync(
        IngestService.IngestServiceClient ingest, string key, TrackedEvent[] batch, TimeSpan patience, Func<RpcException, bool> retries,
        CancellationToken cancellationToken)
    {
        var request = new TrackRequest { BatchId = batch[0].EventId };
        request.Events.AddRange(batch.Select(ToContract));
        var headers = new Metadata { { "x-api-key", key } };
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                var response = await ingest.TrackAsync(request, headers, deadline: DateTime.UtcNow.AddSeconds(30), cancellationToken: cancellationToken);
                var rejected = response.Rejected.Select(r => r.Index).ToHashSet();
                return [.. batch.Where((_, i) => !rejected.Contains(i))];
            }
            catch (RpcException e) when (DateTime.UtcNow < deadline && retries(e))
            {
                await Task.Delay(200, cancellationToken);
            }
        }
    }

    private static Event ToContract(TrackedEvent e)
    {
        var message = new Event
        {
            EventId = e.EventId,
            UserId = e.UserId,
            Name = e.Name,
            Feature = e.Feature,
            Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(e.TimestampMs)),
            Value = e.Value,
            SessionId = e.SessionId,
        };
        foreach (var (name, value) in e.Properties ?? new Dictionary<string, string>())
        {
            message.Properties[name] = value;
        }

        return message;
    }
}

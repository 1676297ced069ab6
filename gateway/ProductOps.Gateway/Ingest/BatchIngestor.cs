using ProductOps.Contracts.V1;
using ProductOps.Domain;
using ProductOps.Gateway.Errors;

namespace ProductOps.Gateway.Ingest;

/// <summary>One batch end to end: validate, admit new features and the events, append to the log, count, answer. The
/// answer is given only after every accepted event is committed.</summary>
public sealed class BatchIngestor(
    EventIntake intake, FeatureAdmission features, IngestAdmission admission, PartitionRouter router, IngestionCounters counters, IngestMetrics metrics, TimeProvider time)
{
    public async Task<TrackResponse> TrackAsync(string tenant, TrackPayload request)
    {
        var started = time.GetTimestamp();
        IntakeResult intakeResult;
        long requestBytes;
        using (request)
        {
            requestBytes = request.Span.Length;
            intakeResult = intake.Accept(tenant, request.Span);
        }

        return await CountingFailuresAsync(intakeResult.Accepted.Count, started, async () =>
        {
            intakeResult = await features.AdmitAsync(tenant, intakeResult);

            var response = new TrackResponse { BatchId = intakeResult.BatchId };
            response.Rejected.AddRange(intakeResult.Rejected);
            if (intakeResult.Accepted.Count > 0)
            {
                using var lease = admission.Enter(tenant, intakeResult.Accepted.Count, requestBytes);
                var duplicate = await router.AppendAsync(intakeResult.Accepted);
                response.Duplicates = duplicate.AsSpan().Count(true);
                response.Accepted = duplicate.Length - response.Duplicates;
            }

            counters.Record(tenant, response.Accepted, response.Duplicates, response.Rejected.Count);
            metrics.Answered(response.Accepted, response.Duplicates, response.Rejected.Count, time.GetElapsedTime(started));
            return response;
        });
    }

    public async Task<IdentifyResponse> IdentifyAsync(string tenant, IdentifyRequest request)
    {
        var started = time.GetTimestamp();
        TrackedEvent identify = intake.AcceptIdentify(tenant, request);
        return await CountingFailuresAsync(1, started, async () =>
        {
            using var lease = admission.Enter(tenant, 1, request.CalculateSize());
            var duplicate = (await router.AppendAsync([identify]))[0];
            counters.Record(tenant, duplicate ? 0 : 1, duplicate ? 1 : 0, 0);
            metrics.Answered(duplicate ? 0 : 1, duplicate ? 1 : 0, 0, time.GetElapsedTime(started));
            return new IdentifyResponse { Accepted = !duplicate, Duplicate = duplicate };
        });
    }

    /// <summary>Runs what follows a request's validation; if it fails (the cluster unreachable, a
    /// commit failed: the caller is told to retry, or why it cannot), the request's valid events
    /// are counted as failed, so operators see what no answer acknowledged. A refusal for load is
    /// counted as such by <see cref="IngestAdmission"/>, not here.</summary>
    private async Task<T> CountingFailuresAsync<T>(int validEvents, long started, Func<Task<T>> rest)
    {
        try
        {
            return await rest();
        }
        catch (Exception e) when (e is not OverloadedException)
        {
            metrics.Unacknowledged(validEvents, time.GetElapsedTime(started));
            throw;
        }
    }
}

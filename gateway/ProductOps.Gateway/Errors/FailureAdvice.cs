using System.Collections.Frozen;
using ProductOps.Contracts.V1;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Errors;

/// <summary>
/// What a failed call's status tells its caller to do, which depends on the call
/// (<c>ServerCallContext.Method</c>, "/productops.v1.IngestService/Track"). An ingest call
/// (Track, TrackStream, Identify) acknowledges nothing of a batch that failed and carries event
/// ids, so its caller sends the batch again with the same ids and duplicates are recognised. A
/// read (queries, watches, exports, the admin reads) has nothing to acknowledge: the caller calls
/// again. An admin call that changes something may have been applied before it failed, so its
/// caller is told how to find out before calling again.
/// </summary>
internal static class FailureAdvice
{
    private static readonly string IngestMethods = $"/{IngestServiceBinding.ServiceName}/";

    private static readonly FrozenDictionary<string, string> AdminChanges = new Dictionary<string, string>
    {
        // A partial update: the same one again sets the same values, but reading first keeps a
        // retry from undoing another admin's change made since.
        [AdminMethod(nameof(AdminService.AdminServiceBase.UpdateTenantSettings))] =
            "the update may or may not have been applied: read GetTenantSettings before sending it again",
        // Not idempotent once a job has ended: a second call would start another training.
        [AdminMethod(nameof(AdminService.AdminServiceBase.TrainModel))] =
            "a training job may or may not have started: read GetTrainingJob before calling again",
        // Idempotent, and the grain sets the hold before activating, so a failure between the two
        // (hold on, old model still active) is mended by the same call, not seen by reading.
        [AdminMethod(nameof(AdminService.AdminServiceBase.ActivateModel))] =
            "the version may or may not have been activated: call again with the same version, which is safe",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Whether <paramref name="method"/> is one of the IngestService's calls.</summary>
    public static bool IsIngest(string method) => method.StartsWith(IngestMethods, StringComparison.Ordinal);

    /// <summary>The cluster did not answer in time, or a silo went away under the call.</summary>
    public static string ClusterUnavailable(string method) =>
        IsIngest(method) ? "the cluster is briefly unavailable; retry with the same event ids"
        : AdminChanges.TryGetValue(method, out var advice) ? $"the cluster is briefly unavailable; {advice}"
        : "the cluster is briefly unavailable; retry";

    /// <summary>The event log failed the call's commit or read for <paramref name="cause"/>, which lasts
    /// until someone acts on it (frees space, restores a file): said, so a caller's operator can.</summary>
    public static string StoreFailed(string method, string cause) =>
        IsIngest(method) ? $"the event log could not store the batch: {cause}; nothing from this request was acknowledged; retry with the same event ids"
        : AdminChanges.TryGetValue(method, out var advice) ? $"the event log is unavailable: {cause}; {advice}"
        : $"the event log is unavailable: {cause}; retry";

    /// <summary>A failure nobody planned for: its details stay in the log.</summary>
    public static string Unexpected(string method) =>
        IsIngest(method) ? "internal error; nothing from this request was acknowledged"
        : AdminChanges.TryGetValue(method, out var advice) ? $"internal error; {advice}"
        : "internal error";

    /// <summary>An open-ended stream this process ended to stop (TrackStream's unanswered batches go again).</summary>
    public static string Stopping(string method) =>
        IsIngest(method) ? "this gateway is stopping; call again (unanswered batches with the same event ids)"
        : "this gateway is stopping; call again";

    private static string AdminMethod(string name) => $"/{AdminService.Descriptor.FullName}/{name}";
}

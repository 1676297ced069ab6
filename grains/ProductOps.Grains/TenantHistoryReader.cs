using System.Runtime.CompilerServices;
using ProductOps.Churn;
using ProductOps.Domain;
using ProductOps.Storage;

namespace ProductOps.Grains;

/// <summary>
/// Reads one tenant's events from the log a partition at a time, page by page. All events of a
/// user live in one partition, so a partition's users are complete once it is read.
/// </summary>
internal sealed class TenantHistoryReader(IEventLog log, string tenant, int pageSize)
{
    /// <summary>The earliest and latest usage time in the partition, and its count of the tenant's events.</summary>
    public async Task<long> ScanAsync(int partition, long upToSeq, EventTimeRange range, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var e in ReadAsync(partition, upToSeq, cancellationToken))
        {
            range.Add(e);
            count++;
        }

        return count;
    }

    /// <summary>The partition's users of the tenant with their events in log order.</summary>
    public async Task<IReadOnlyList<UserHistory>> ReadUsersAsync(int partition, long upToSeq, CancellationToken cancellationToken)
    {
        var byUser = new Dictionary<string, List<TrackedEvent>>(StringComparer.Ordinal);
        await foreach (var e in ReadAsync(partition, upToSeq, cancellationToken))
        {
            if (!byUser.TryGetValue(e.UserId, out var events))
            {
                byUser[e.UserId] = events = [];
            }

            events.Add(e);
        }

        return [.. byUser.Select(u => new UserHistory(u.Key, u.Value))];
    }

    private async IAsyncEnumerable<TrackedEvent> ReadAsync(int partition, long upToSeq, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var after = 0L; after < upToSeq;)
        {
            // Reads skip seqs that retention dropped; the bound keeps the read to what was committed when the job began.
            var page = await log.ReadAsync(partition, after, pageSize, cancellationToken);
            if (page.Count == 0)
            {
                yield break;
            }

            foreach (var logged in page)
            {
                if (logged.Seq > upToSeq)
                {
                    yield break;
                }

                if (string.Equals(logged.Event.Tenant, tenant, StringComparison.Ordinal))
                {
                    yield return logged.Event;
                }
            }

            after = page[^1].Seq;
        }
    }
}

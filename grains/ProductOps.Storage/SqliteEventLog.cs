using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using ProductOps.Domain;

namespace ProductOps.Storage;

/// <summary>
/// The embedded event log: one SQLite file per partition under DataDir/log, so partitions commit
/// in parallel. Seq is the rowid, assigned by the writer, so a stale second writer fails instead
/// of forking the log. Dedup and a user's catch-up share one compact integer index on
/// (user_key, event_key), 64-bit hashes of (tenant, user) and of the event id, merged in sorted
/// batches and kept in two levels (see <see cref="SqlitePartitionWriter"/> and <see cref="DedupIndex"/>). A conflict is checked against the stored
/// strings, and a true hash collision moves the event to a salted key, so dedup stays exact.
/// Statements are prepared once per connection: one write connection per partition, and a pool
/// of read ones.
/// </summary>
public sealed class SqliteEventLog : IEventLog, IDisposable
{
    // Rows a user read may scan beyond what the writer's recent keys cover before they are re-read.
    private const long StaleRecentKeys = 4096;
    private const string FilePrefix = "partition-";
    private const string FileSuffix = ".db";
    private readonly Func<string, int, long> _eventKey;
    private readonly int _dedupMergeEvents;
    private readonly long _dedupFilterMaxBytes;
    private readonly int _writerPageCacheKiB;
    private readonly string _folder;
    private readonly string _synchronous;
    private readonly ConcurrentDictionary<int, Lazy<SqlitePartitionWriter>> _writers = new();
    private readonly ConcurrentDictionary<int, ConcurrentBag<SqlitePartitionReader>> _readers = new();

    public SqliteEventLog(IOptions<StorageOptions> options)
        : this(options, EventKeys.EventKey)
    {
    }

    /// <summary>For tests: a weak <paramref name="eventKey"/> forces hash collisions.</summary>
    internal SqliteEventLog(IOptions<StorageOptions> options, Func<string, int, long> eventKey)
    {
        _eventKey = eventKey;
        _folder = LogFolder(options.Value.DataDir);
        _synchronous = options.Value.SqliteSynchronous;
        _dedupMergeEvents = options.Value.DedupMergeEvents;
        _dedupFilterMaxBytes = options.Value.DedupFilterMaxBytes;
        _writerPageCacheKiB = options.Value.LogWriterPageCacheKiB;
        Directory.CreateDirectory(_folder);
    }

    /// <summary>For tests: the partition's writer, opened if it was not.</summary>
    internal SqlitePartitionWriter WriterOf(int partition) => Writer(partition);

    public Task<long> GetHeadAsync(int partition, CancellationToken cancellationToken = default) =>
        Task.Run(() => NamingTheFile(partition, () => Writer(partition).Head()), cancellationToken);

    public Task<AppendOutcome> AppendAsync(int partition, long head, IReadOnlyList<TrackedEvent> events, long committedAtMs, CancellationToken cancellationToken = default) =>
        Task.Run(() => NamingTheFile(partition, () => Writer(partition).Append(partition, head, events, committedAtMs)), cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadAsync(int partition, long afterSeq, int max, CancellationToken cancellationToken = default) =>
        Task.Run(() => NamingTheFile<IReadOnlyList<LoggedEvent>>(partition, () => WithReader(partition, reader => reader.ReadRange(partition, afterSeq, max))), cancellationToken);

    public Task<IReadOnlyList<LoggedEvent>> ReadUserAsync(int partition, string tenant, string userId, long afterSeq, CancellationToken cancellationToken = default) =>
        Task.Run(() => NamingTheFile<IReadOnlyList<LoggedEvent>>(partition, () => ReadUser(partition, tenant, userId, afterSeq)), cancellationToken);

    public void Dispose()
    {
        foreach (var writer in _writers.Values.Where(w => w.IsValueCreated))
        {
            writer.Value.Dispose();
        }

        _writers.Clear();
        foreach (var reader in _readers.Values.SelectMany(pool => pool))
        {
            reader.Dispose();
        }

        _readers.Clear();
    }

    /// <summary>SQLite's own errors name no file: an operator with 32 partition files must learn
    /// which one is full, corrupt or read-only, and the caller what went wrong.</summary>
    private T NamingTheFile<T>(int partition, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException e)
        {
            throw new EventLogException(partition, PathOf(partition), e);
        }
    }

    private List<LoggedEvent> ReadUser(int partition, string tenant, string userId, long afterSeq)
    {
        var writer = Writer(partition);
        var recent = writer.Recent.ViewOfUser(EventKeys.UserKey(tenant, userId), afterSeq);
        var (events, head) = WithReader(partition, reader => reader.ReadUser(partition, tenant, userId, afterSeq, recent));
        if (head - recent.KnownHead > StaleRecentKeys)
        {
            // Another writer has been committing to this file (a partition that moved silos
            // sharing the folder): read its keys in, so later reads need not scan what it added.
            // Best effort: this read is complete without it.
            try
            {
                writer.Refresh();
            }
            catch (SqliteException)
            {
            }
        }

        return events;
    }

    // Lazy: GetOrAdd may run its factory twice under a race; only one writer connection may exist.
    // A writer that failed to open (the file busy, say) is forgotten, so the next call tries again.
    private SqlitePartitionWriter Writer(int partition)
    {
        var writer = _writers.GetOrAdd(partition, p => new Lazy<SqlitePartitionWriter>(
            () => new SqlitePartitionWriter(OpenForOneThread(p), _eventKey, _dedupMergeEvents, FilterSource(p))));
        try
        {
            return writer.Value;
        }
        catch
        {
            _writers.TryRemove(KeyValuePair.Create(partition, writer));
            throw;
        }
    }

    private DedupFilterSource? FilterSource(int partition) =>
        _dedupFilterMaxBytes > 0 ? new(_dedupFilterMaxBytes, () => OpenForOneThread(partition)) : null;

    private SQLitePCL.sqlite3 OpenForOneThread(int partition) =>
        SqliteDatabase.OpenForOneThread(PathOf(partition), _synchronous, _writerPageCacheKiB);

    /// <summary>Where a data directory keeps its partitions' log files.</summary>
    internal static string LogFolder(string dataDir) => Path.Combine(dataDir, "log");

    /// <summary>The highest partition whose file exists in <paramref name="dataDir"/>'s log, -1 when none.</summary>
    internal static int HighestPartition(string dataDir)
    {
        var folder = LogFolder(dataDir);
        if (!Directory.Exists(folder))
        {
            return -1;
        }

        var highest = -1;
        foreach (var file in Directory.EnumerateFiles(folder, FilePrefix + "*" + FileSuffix))
        {
            var name = Path.GetFileName(file);
            if (int.TryParse(name.AsSpan(FilePrefix.Length, name.Length - FilePrefix.Length - FileSuffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
            {
                highest = Math.Max(highest, partition);
            }
        }

        return highest;
    }

    private string PathOf(int partition) => Path.Combine(_folder, $"{FilePrefix}{partition:D4}{FileSuffix}");

    /// <summary>Runs <paramref name="read"/> on a pooled reader of the partition; a reader is only
    /// ever used by one read at a time.</summary>
    private T WithReader<T>(int partition, Func<SqlitePartitionReader, T> read)
    {
        Writer(partition); // creates the file and schema on first use
        var pool = _readers.GetOrAdd(partition, _ => []);
        var reader = pool.TryTake(out var pooled) ? pooled : new SqlitePartitionReader(SqliteDatabase.Open(PathOf(partition), _synchronous));
        try
        {
            return read(reader);
        }
        finally
        {
            pool.Add(reader);
        }
    }
}

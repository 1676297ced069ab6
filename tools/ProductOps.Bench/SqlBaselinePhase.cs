using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace ProductOps.Bench;

/// <summary>Baseline (b), what teams build without ProductOps: the same events in a PostgreSQL table
/// (binary COPY, one transaction per chunk, several writers; a unique key for dedup and the indexes
/// the questions need), and the questions answered with SQL at read time. Each run has its own
/// table, dropped at the end, so two runs against one database never load or read each other's.</summary>
internal sealed class SqlBaselinePhase(BenchOptions options, WorkloadGenerator workload, string runId, TextWriter progress)
{
    private readonly string _table = $"productops_bench_events_{runId}";
    private const int ChunkRows = 100_000;
    private const string Tenant = "demo";
    private readonly Dictionary<string, LatencySummary?> _queries = [];
    private string? _skipped;
    private string? _serverVersion;
    private double? _rowsPerSec;
    private long _rows;
    private double _loadSeconds;
    private double _analyzeSeconds;

    public double? RowsPerSec => _rowsPerSec;

    /// <summary>The feature question (a feature's distinct users and events per day), p50.</summary>
    public double? FeatureQueryP50 => _queries.GetValueOrDefault("feature_daily")?.P50;

    public string? Skipped => _skipped;

    public async Task RunAsync(CancellationToken token)
    {
        if (options.Postgres is null)
        {
            _skipped = "skipped by --no-postgres";
            await progress.WriteLineAsync($"SQL baseline: {_skipped}");
            return;
        }

        await using var source = NpgsqlDataSource.Create(options.Postgres);
        try
        {
            await using var probe = await source.OpenConnectionAsync(token);
            _serverVersion = probe.PostgreSqlVersion.ToString();
        }
        catch (Exception failure) when (failure is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            var which = options.PostgresIsDefault ? "no --postgres given and the default server" : "the --postgres server";
            _skipped = $"{which} is not reachable ({failure.Message}); PostgreSQL baseline skipped";
            await progress.WriteLineAsync($"SQL baseline: {_skipped}");
            return;
        }

        await CreateTableAsync(source, token);
        try
        {
            await LoadAsync(source, token);
            await QueryAsync(source, token);
        }
        finally
        {
            // Not with the run's token: a cancelled run drops its table too.
            await using var drop = source.CreateCommand($"DROP TABLE IF EXISTS {_table}");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public JsonObject ToJson() => new()
    {
        ["skipped"] = _skipped,
        ["server_version"] = _serverVersion,
        ["rows"] = _skipped is null ? _rows : null,
        ["writers"] = options.SqlWriters,
        ["load_seconds"] = _skipped is null ? Math.Round(_loadSeconds, 1) : null,
        ["analyze_seconds"] = _skipped is null ? Math.Round(_analyzeSeconds, 1) : null,
        ["ingest_rows_per_sec"] = _rowsPerSec is { } r ? Math.Round(r) : null,
        ["queries"] = new JsonObject(_queries.Select(q => KeyValuePair.Create(q.Key, (JsonNode?)q.Value?.ToJson()))),
        ["schema"] = $"{_table}(tenant, event_id, user_id, name, feature, ts timestamptz, value, session_id), "
            + "primary key (tenant, event_id), indexes (tenant, user_id, ts), (tenant, feature, ts), (tenant, ts)",
    };

    private async Task CreateTableAsync(NpgsqlDataSource source, CancellationToken token)
    {
        await using var command = source.CreateCommand($"""
            CREATE TABLE {_table} (
              tenant text NOT NULL, event_id text NOT NULL, user_id text NOT NULL, name text NOT NULL,
              feature text, ts timestamptz NOT NULL, value double precision NOT NULL, session_id text,
              PRIMARY KEY (tenant, event_id));
            CREATE INDEX ON {_table} (tenant, user_id, ts);
            CREATE INDEX ON {_table} (tenant, feature, ts);
            CREATE INDEX ON {_table} (tenant, ts);
            """);
        await command.ExecuteNonQueryAsync(token);
    }

    private async Task LoadAsync(NpgsqlDataSource source, CancellationToken token)
    {
        // The same sequence ProductOps gets (event i is a function of the seed and i): events 0..N-1.
        var total = options.SqlEvents;
        var chunks = (total + ChunkRows - 1) / ChunkRows;
        long nextChunk = -1;
        await progress.WriteLineAsync($"SQL baseline: binary COPY of {total:N0} events with {options.SqlWriters} writers");
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.SqlWriters).Select(_ => Task.Run(async () =>
        {
            await using var connection = await source.OpenConnectionAsync(token);
            for (var chunk = Interlocked.Increment(ref nextChunk); chunk < chunks; chunk = Interlocked.Increment(ref nextChunk))
            {
                var end = Math.Min(total, (chunk + 1) * ChunkRows);
                await using var writer = await connection.BeginBinaryImportAsync(
                    $"COPY {_table} (tenant, event_id, user_id, name, feature, ts, value, session_id) FROM STDIN (FORMAT BINARY)", token);
                for (var i = chunk * ChunkRows; i < end; i++)
                {
                    var e = workload.Create(i);
                    await writer.StartRowAsync(token);
                    await writer.WriteAsync(Tenant, NpgsqlDbType.Text, token);
                    await writer.WriteAsync(e.EventId, NpgsqlDbType.Text, token);
                    await writer.WriteAsync(e.UserId, NpgsqlDbType.Text, token);
                    await writer.WriteAsync(e.Name, NpgsqlDbType.Text, token);
                    await writer.WriteAsync(e.Feature, NpgsqlDbType.Text, token);
                    await writer.WriteAsync(DateTime.UnixEpoch.AddMilliseconds(e.TimestampMs), NpgsqlDbType.TimestampTz, token);
                    await writer.WriteAsync(e.Value, NpgsqlDbType.Double, token);
                    await writer.WriteAsync(e.SessionId, NpgsqlDbType.Text, token);
                }

                await writer.CompleteAsync(token);
                Interlocked.Add(ref _rows, end - (chunk * ChunkRows));
            }
        }, token)));
        _loadSeconds = clock.Elapsed.TotalSeconds;
        _rowsPerSec = _rows / _loadSeconds;
        await progress.WriteLineAsync($"  {_rowsPerSec:N0} rows/s ({_loadSeconds:F1} s)");
        clock.Restart();
        await using (var analyze = source.CreateCommand($"VACUUM ANALYZE {_table}"))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(token);
        }

        _analyzeSeconds = clock.Elapsed.TotalSeconds;
    }

    private async Task QueryAsync(NpgsqlDataSource source, CancellationToken token)
    {
        var from = workload.WindowStart.UtcDateTime;
        var to = workload.WindowEnd.UtcDateTime.AddDays(1);
        var questions = new (string Name, string Sql)[]
        {
            ("dau", $"""
                SELECT date_trunc('day', ts AT TIME ZONE 'UTC') AS day, count(DISTINCT user_id)
                FROM {_table} WHERE tenant = @tenant AND ts >= @from AND ts < @to GROUP BY 1 ORDER BY 1
                """),
            ("feature_daily", $"""
                SELECT date_trunc('day', ts AT TIME ZONE 'UTC') AS day, count(*), count(DISTINCT user_id)
                FROM {_table} WHERE tenant = @tenant AND feature = @feature AND ts >= @from AND ts < @to GROUP BY 1 ORDER BY 1
                """),
            ("user_activity", $"""
                SELECT feature, count(*), min(ts), max(ts), sum(value), count(DISTINCT date_trunc('day', ts AT TIME ZONE 'UTC'))
                FROM {_table} WHERE tenant = @tenant AND user_id = @user GROUP BY feature
                """),
        };
        await using var connection = await source.OpenConnectionAsync(token);
        var draw = (ulong)options.Seed;
        foreach (var (name, sql) in questions)
        {
            var samples = new List<double>();
            var budget = Stopwatch.StartNew();
            for (var run = -1; run < options.SqlQueryRuns && budget.Elapsed < TimeSpan.FromSeconds(60); run++)
            {
                draw = (draw * 6364136223846793005UL) + 1442695040888963407UL;
                await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
                command.Parameters.AddWithValue("tenant", Tenant);
                command.Parameters.AddWithValue("from", from);
                command.Parameters.AddWithValue("to", to);
                command.Parameters.AddWithValue("feature", workload.Features[(int)((draw >> 33) % (ulong)workload.Features.Count)]);
                command.Parameters.AddWithValue("user", WorkloadGenerator.UserId(workload.UserIndex(draw)));
                var started = Stopwatch.GetTimestamp();
                await using (var reader = await command.ExecuteReaderAsync(token))
                {
                    while (await reader.ReadAsync(token))
                    {
                    }
                }

                if (run >= 0)
                {
                    samples.Add(LatencyRecorder.MsSince(started));
                }
            }

            _queries[name] = LatencySummary.Of(samples);
            await progress.WriteLineAsync($"  {name}: p50 {_queries[name]?.P50:F1} ms, p99 {_queries[name]?.P99:F1} ms");
        }
    }
}

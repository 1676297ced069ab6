using System.Globalization;
using ProductOps.Storage.Postgres;

namespace ProductOps.Bench;

/// <summary>The harness's parameters, parsed from the command line; defaults depend on the profile.</summary>
internal sealed class BenchOptions
{
    public BenchProfile Profile { get; private set; } = BenchProfile.Full;

    /// <summary>Target an already running node (or a cluster gateway) instead of starting one.</summary>
    public Uri? Address { get; private set; }

    /// <summary>Silos of a PostgreSQL cluster the harness starts (with one stand-alone gateway)
    /// instead of the all-in-one node; 0 for the all-in-one node.</summary>
    public int ClusterSilos { get; private set; }

    /// <summary>The server the cluster's fresh database is created on: a role that may create
    /// databases. Defaults to <see cref="Postgres"/>.</summary>
    public string? ClusterPostgres { get; private set; }

    /// <summary>PIDs of an external node's processes, for RSS and CPU (memory phase is skipped without them).</summary>
    public IReadOnlyList<int> NodePids { get; private set; } = [];

    public string? SiloDll { get; private set; }

    public string? GatewayDll { get; private set; }

    public string? JsonPath { get; private set; }

    public string IngestKey { get; private set; } = "demo-ingest-key";

    public string ReadKey { get; private set; } = "demo-read-key";

    /// <summary>Key with the admin scope, to train and activate the churn model the churn queries need.</summary>
    public string AdminKey { get; private set; } = "demo-admin-key";

    /// <summary>Simulated users (with churners) streamed in before training; 0 skips the churn phase.</summary>
    public int ChurnUsers { get; private set; }

    /// <summary>Days of the simulated history, ending today.</summary>
    public int ChurnDays { get; private set; } = 84;

    public int Seed { get; private set; } = 42;

    public int Users { get; private set; }

    public int Features { get; private set; } = 40;

    public int Days { get; private set; } = 30;

    public int BatchSize { get; private set; } = 500;

    public int InFlight { get; private set; } = 16;

    public int Streams { get; private set; } = 4;

    public TimeSpan SaturationDuration { get; private set; }

    public TimeSpan StepDuration { get; private set; }

    public IReadOnlyList<double> Loads { get; private set; } = [];

    public TimeSpan QueryDuration { get; private set; }

    public int QueryRate { get; private set; } = 300;

    public int Probes { get; private set; }

    public int MemoryUsers { get; private set; }

    public int MemoryEventsPerUser { get; private set; } = 4;

    public int NaiveConcurrency { get; private set; } = 32;

    public TimeSpan NaiveDuration { get; private set; }

    public long SqlEvents { get; private set; }

    public int SqlWriters { get; private set; } = 2;

    public int SqlQueryRuns { get; private set; }

    /// <summary>Npgsql connection string; null when --no-postgres.</summary>
    public string? Postgres { get; private set; } = DefaultPostgres;

    /// <summary>True when the connection string is the built-in default (not given by the user).</summary>
    public bool PostgresIsDefault { get; private set; } = true;

    /// <summary>The highest event rate the saturation phase prepares events for (it ends early past it).</summary>
    public int? MaxRate { get; private set; }

    /// <summary>Events/s the offered loads (steps, queries and churn queries under load) are
    /// fractions of, instead of the measured saturation: two builds compared at the same load.</summary>
    public int? LoadBase { get; private set; }

    /// <summary>Steps the search for the highest load holding <see cref="AckBoundMs"/> may add; 0 skips it.</summary>
    public int SearchProbes { get; private set; }

    /// <summary>The ack p99 the searched load must hold (the target at 70% load).</summary>
    public double AckBoundMs { get; private set; } = 25;

    public const string DefaultPostgres =
        "Host=127.0.0.1;Port=5432;Username=productops_bench;Password=productops_bench;Database=productops_bench;Timeout=3";

    public static string Usage => """
        productops-bench [options]
          --quick                 about a minute (default: the full benchmark)
          --tiny                  a few seconds, for the CI smoke test
          --json FILE             write the results as JSON
          --address URL           target a running node or cluster gateway instead of starting one
          --node-pid PID[,PID]    PIDs of the external node's processes (for RSS and CPU)
          --cluster N             start a PostgreSQL cluster instead of the all-in-one node: a fresh
                                  database, N silo processes and one gateway process
          --cluster-postgres CONNSTRING  server for the cluster's database, a role that may create
                                  databases (default: --postgres)
          --silo-dll PATH         the node to start (default: silo/ProductOps.Silo/bin/Release/...)
          --gateway-dll PATH      the cluster's gateway (default: gateway/ProductOps.Gateway.Host/bin/Release/...)
          --ingest-key KEY        (demo-ingest-key)   --read-key KEY (demo-read-key)
          --admin-key KEY         (demo-admin-key) trains and activates the churn model
          --churn-users N         simulated users to train on (0 skips the churn queries)  --churn-days N (84)
          --seed N (42)  --users N  --features N (40)  --days N (30)
          --batch N (500)  --in-flight N (16, per stream)  --streams N (4)
          --saturation-seconds S  --step-seconds S  --loads 0.25,0.5,0.7,0.9
          --query-seconds S  --query-rate N (300/s)  --probes N
          --memory-users N  --memory-events-per-user N (4)
          --naive-concurrency N (32)  --naive-seconds S
          --postgres CONNSTRING   baseline database (default: productops_bench on 127.0.0.1:5432)
          --no-postgres           skip the PostgreSQL baseline
          --sql-events N  --sql-writers N (2)  --sql-query-runs N
          --max-rate N            events/s the saturation phase prepares for (4x the warm-up rate, >= 50000)
          --load-base N           events/s the offered loads are fractions of (default: the measured
                                  saturation); holds the loads still when comparing two builds
          --search-probes N       steps searching for the highest load whose ack p99 holds the bound
                                  (full 5, quick 3, tiny 1; 0 skips the search)
          --ack-bound-ms X (25)   that bound
        """;

    /// <summary>The command line as the report records it: the API keys and the database password
    /// replaced, since reports are kept and shared.</summary>
    public static IEnumerable<string> Redacted(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Count; i++)
        {
            yield return args[i];
            if (i + 1 < args.Count && args[i] is "--ingest-key" or "--read-key" or "--admin-key")
            {
                yield return "***";
                i++;
            }
            else if (i + 1 < args.Count && args[i] is "--postgres" or "--cluster-postgres")
            {
                yield return ConnectionStringRedaction.Redact(args[++i]);
            }
        }
    }

    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options.Profile = BenchProfile.Quick;
        }

        if (args.Contains("--tiny"))
        {
            options.Profile = BenchProfile.Tiny;
        }

        options.ApplyProfile();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value");
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            TimeSpan Seconds() => TimeSpan.FromSeconds(double.Parse(Value(), CultureInfo.InvariantCulture));
            switch (name)
            {
                case "--quick" or "--tiny":
                    break;
                case "--json": options.JsonPath = Value(); break;
                case "--address": options.Address = new Uri(Value()); break;
                case "--cluster": options.ClusterSilos = Int(); break;
                case "--cluster-postgres": options.ClusterPostgres = Value(); break;
                case "--node-pid":
                    options.NodePids = [.. Value().Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture))];
                    break;
                case "--silo-dll": options.SiloDll = Value(); break;
                case "--gateway-dll": options.GatewayDll = Value(); break;
                case "--ingest-key": options.IngestKey = Value(); break;
                case "--read-key": options.ReadKey = Value(); break;
                case "--admin-key": options.AdminKey = Value(); break;
                case "--churn-users": options.ChurnUsers = Int(); break;
                case "--churn-days": options.ChurnDays = Int(); break;
                case "--seed": options.Seed = Int(); break;
                case "--users": options.Users = Int(); break;
                case "--features": options.Features = Int(); break;
                case "--days": options.Days = Int(); break;
                case "--batch": options.BatchSize = Int(); break;
                case "--in-flight": options.InFlight = Int(); break;
                case "--streams": options.Streams = Int(); break;
                case "--saturation-seconds": options.SaturationDuration = Seconds(); break;
                case "--step-seconds": options.StepDuration = Seconds(); break;
                case "--loads":
                    options.Loads = [.. Value().Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture))];
                    break;
                case "--query-seconds": options.QueryDuration = Seconds(); break;
                case "--query-rate": options.QueryRate = Int(); break;
                case "--probes": options.Probes = Int(); break;
                case "--memory-users": options.MemoryUsers = Int(); break;
                case "--memory-events-per-user": options.MemoryEventsPerUser = Int(); break;
                case "--naive-concurrency": options.NaiveConcurrency = Int(); break;
                case "--naive-seconds": options.NaiveDuration = Seconds(); break;
                case "--postgres": options.Postgres = Value(); options.PostgresIsDefault = false; break;
                case "--no-postgres": options.Postgres = null; options.PostgresIsDefault = false; break;
                case "--sql-events": options.SqlEvents = long.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--sql-writers": options.SqlWriters = Int(); break;
                case "--sql-query-runs": options.SqlQueryRuns = Int(); break;
                case "--max-rate": options.MaxRate = Int(); break;
                case "--load-base": options.LoadBase = Int(); break;
                case "--search-probes": options.SearchProbes = Int(); break;
                case "--ack-bound-ms": options.AckBoundMs = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (options.ClusterSilos < 0 || (options.ClusterSilos > 0 && options.Address is not null))
        {
            throw new ArgumentException("--cluster N starts a cluster of N >= 1 silos, so it takes no --address");
        }

        options.ClusterPostgres ??= options.Postgres;
        if (options.ClusterSilos > 0 && options.ClusterPostgres is null)
        {
            throw new ArgumentException("--cluster needs a PostgreSQL server: --cluster-postgres CONNSTRING (or --postgres)");
        }

        if (options.Users < 1 || options.Features < 1 || options.Days < 1 || options.BatchSize is < 1 or > 1000
            || options.InFlight < 1 || options.Streams < 1 || options.Loads.Any(l => l is <= 0 or > 1)
            || options.ChurnUsers < 0 || options.ChurnDays is < 1 or > 3_660 || options.LoadBase < 1
            || options.SearchProbes is < 0 or > 20 || !(options.AckBoundMs > 0))
        {
            throw new ArgumentException(
                "out-of-range option (users, features, days >= 1; batch 1-1000; loads in (0, 1]; churn users >= 0; churn days 1-3660; load base >= 1; search probes 0-20; ack bound > 0 ms)");
        }

        return options;
    }

    private void ApplyProfile()
    {
        switch (Profile)
        {
            case BenchProfile.Full:
                Users = 100_000;
                SaturationDuration = TimeSpan.FromSeconds(20);
                StepDuration = TimeSpan.FromSeconds(10);
                Loads = [0.25, 0.5, 0.7, 0.9];
                QueryDuration = TimeSpan.FromSeconds(20);
                Probes = 100;
                MemoryUsers = 100_000;
                ChurnUsers = 5_000;
                NaiveDuration = TimeSpan.FromSeconds(10);
                SqlEvents = 10_000_000;
                SqlQueryRuns = 20;
                SearchProbes = 5;
                break;
            case BenchProfile.Quick:
                Users = 20_000;
                SaturationDuration = TimeSpan.FromSeconds(8);
                StepDuration = TimeSpan.FromSeconds(4);
                Loads = [0.1, 0.5, 0.7]; // 10%: the ack latency the node has when it is not busy
                QueryDuration = TimeSpan.FromSeconds(8);
                Probes = 30;
                MemoryUsers = 10_000;
                ChurnUsers = 2_000;
                NaiveDuration = TimeSpan.FromSeconds(4);
                SqlEvents = 500_000;
                SqlQueryRuns = 5;
                SearchProbes = 3;
                break;
            default:
                Users = 500;
                SaturationDuration = TimeSpan.FromSeconds(2);
                StepDuration = TimeSpan.FromSeconds(1.5);
                Loads = [0.7];
                QueryDuration = TimeSpan.FromSeconds(2);
                Probes = 5;
                MemoryUsers = 500;
                ChurnUsers = 500;
                NaiveDuration = TimeSpan.FromSeconds(1);
                SqlEvents = 20_000;
                SqlQueryRuns = 3;
                SearchProbes = 1;
                break;
        }
    }
}

namespace ProductOps.Silo;

/// <summary>How this silo joins its cluster (configuration section "ProductOps:Silo").</summary>
public sealed class SiloHostOptions
{
    public const string Section = "ProductOps:Silo";

    /// <summary>Host the gRPC gateway in this process too (the all-in-one default).</summary>
    public bool Gateway { get; set; } = true;

    /// <summary>Port silos talk to each other on.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Port Orleans clients (separate gateway processes) connect to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos and clients reach this silo at (PostgreSQL mode).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface rather than only the advertised address (containers).</summary>
    public bool ListenOnAnyAddress { get; set; }

    /// <summary>Orleans' cluster identity: the same in every silo and gateway of one cluster.</summary>
    public string ClusterId { get; set; } = "productops";

    /// <summary>Orleans' service identity: the same in every silo and gateway of one cluster.</summary>
    public string ServiceId { get; set; } = "productops";

    /// <summary>How long a graceful stop may take to deactivate grains and persist their state.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

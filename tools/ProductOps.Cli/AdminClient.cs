using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>The AdminService over its own channel, with the admin key on every call.</summary>
internal sealed class AdminClient : IDisposable
{
    public const string DemoAdminKey = "demo-admin-key";

    public static readonly CliOption Key = new("key", "KEY", "API key with the admin scope.", DemoAdminKey);

    private readonly GrpcChannel _channel;

    private AdminClient(Uri address, string apiKey)
    {
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { ThrowOperationCanceledOnCancellation = true });
        Service = new AdminService.AdminServiceClient(_channel.Intercept(metadata =>
        {
            metadata.Add("x-api-key", apiKey);
            return metadata;
        }));
    }

    public AdminService.AdminServiceClient Service { get; }

    /// <summary>A client for --address with --key.</summary>
    public static AdminClient From(CliArguments arguments) =>
        new(arguments.GetUri(Connection.Address.Name), arguments.GetString(Key.Name));

    public void Dispose() => _channel.Dispose();
}

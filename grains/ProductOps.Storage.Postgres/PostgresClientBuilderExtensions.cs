using Microsoft.Extensions.Options;

namespace ProductOps.Storage.Postgres;

/// <summary>Lets an Orleans client (a gateway process) find the silos' gateways in PostgreSQL membership.</summary>
public static class PostgresClientBuilderExtensions
{
    public static IClientBuilder UsePostgresClustering(this IClientBuilder client)
    {
        client.Services.AddPostgresOptions();
        client.UseAdoNetClustering(optionsBuilder => optionsBuilder.Configure<IOptions<PostgresOptions>>((clustering, postgres) =>
        {
            clustering.Invariant = PostgresSiloBuilderExtensions.Invariant;
            clustering.ConnectionString = postgres.Value.PooledConnectionString();
        }));
        return client;
    }
}

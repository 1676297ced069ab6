using Npgsql;

namespace ProductOps.Storage.Postgres;

/// <summary>Connection strings as log lines, messages and reports may show them. One source,
/// compiled into the benchmark harness too (it links this file), which shares no library with
/// the store: two copies had drifted apart on which passwords they masked.</summary>
public static class ConnectionStringRedaction
{
    /// <summary>The connection string with its passwords (the login's, the client certificate
    /// key's) masked.</summary>
    public static string Redact(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (!string.IsNullOrEmpty(builder.Password))
            {
                builder.Password = "***";
            }

            if (!string.IsNullOrEmpty(builder.SslPassword))
            {
                builder.SslPassword = "***";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unparsable connection string)"; // keep none of it: it may hold a password
        }
    }
}

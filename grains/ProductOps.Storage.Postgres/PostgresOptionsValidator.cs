using Microsoft.Extensions.Options;

namespace ProductOps.Storage.Postgres;

/// <summary>Fails start-up with the reason when <see cref="PostgresOptions"/> are unusable.</summary>
internal sealed class PostgresOptionsValidator : IValidateOptions<PostgresOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresOptions options) =>
        options.Validate() is { } failure ? ValidateOptionsResult.Fail(failure) : ValidateOptionsResult.Success;
}

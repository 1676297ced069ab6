namespace ProductOps.Cli;

/// <summary>A <c>--name</c> option of a command; a flag when it takes no value.</summary>
internal sealed record CliOption(string Name, string? ValueName, string Description, string? Default = null)
{
    public bool IsFlag => ValueName is null;
}

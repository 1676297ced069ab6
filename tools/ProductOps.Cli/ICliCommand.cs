namespace ProductOps.Cli;

/// <summary>One `productops` command.</summary>
internal interface ICliCommand
{
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Summary { get; }

    /// <summary>The synopsis after `productops`, e.g. "user &lt;id&gt; [options]".</summary>
    string Usage { get; }

    IReadOnlyList<CliOption> Options { get; }

    /// <summary>Returns the process exit code.</summary>
    Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken);
}

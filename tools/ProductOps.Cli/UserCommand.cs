using ProductOps.Contracts.V1;

namespace ProductOps.Cli;

/// <summary>`user &lt;id&gt;`: one user's activity, lifecycle, traits and features.</summary>
internal sealed class UserCommand : ICliCommand
{
    public string Name => "user";

    public string Summary => "Show one user: lifecycle, activity, traits and the features they use.";

    public string Usage => "user <id> [options]";

    public IReadOnlyList<CliOption> Options { get; } = [Connection.Address, Connection.ReadKey];

    public async Task<int> RunAsync(CliArguments arguments, CancellationToken cancellationToken)
    {
        var userId = arguments.GetSinglePositional("user id");
        await using var client = Connection.ForQueries(arguments);
        var user = await client.Query.GetUserAsync(new GetUserRequest { UserId = userId },
            cancellationToken: cancellationToken);
        Print(user, Console.Out);
        return CliApp.Ok;
    }

    private static void Print(UserView user, TextWriter output)
    {
        output.WriteLine($"User {user.UserId}: {LifecycleName(user.Lifecycle)} (as of {CliFormat.Time(user.AsOf)})");
        output.WriteLine($"  first seen   {CliFormat.Time(user.FirstSeen)}");
        output.WriteLine($"  last seen    {CliFormat.Time(user.LastSeen)}");
        output.WriteLine($"  events       {CliFormat.Count(user.EventCount)}");
        output.WriteLine($"  sessions     {CliFormat.Count(user.Sessions)}");
        output.WriteLine($"  active days  {CliFormat.Count(user.ActiveDays)}");
        output.WriteLine($"  value sum    {CliFormat.Decimal(user.ValueSum)}");
        if (user.Traits.Count > 0)
        {
            output.WriteLine();
            var traits = new TextTable("trait", "value");
            foreach (var trait in user.Traits.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                traits.AddRow(trait.Key, trait.Value);
            }

            traits.Write(output);
        }

        output.WriteLine();
        if (user.Features.Count == 0)
        {
            output.WriteLine("  No feature use.");
            return;
        }

        var features = new TextTable("feature", "uses", "first used", "last used");
        foreach (var usage in user.Features.OrderByDescending(f => f.Count))
        {
            features.AddRow(usage.Feature, CliFormat.Count(usage.Count), CliFormat.Time(usage.FirstUsed),
                CliFormat.Time(usage.LastUsed));
        }

        features.Write(output);
    }

    private static string LifecycleName(Lifecycle lifecycle) => lifecycle switch
    {
        Lifecycle.New => "new",
        Lifecycle.Active => "active",
        Lifecycle.Returning => "returning",
        Lifecycle.Dormant => "dormant",
        Lifecycle.Churned => "churned",
        _ => "unknown",
    };
}

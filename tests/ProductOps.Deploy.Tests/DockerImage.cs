using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ProductOps.Testing;

namespace ProductOps.Deploy.Tests;

/// <summary>
/// What deploy/Dockerfile puts in the image: its <c>dotnet publish</c> commands, run here as
/// written with <c>/app</c> moved under a temporary folder, so the pods run what the image
/// would hold.
/// </summary>
public sealed partial class DockerImage : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("productops-image-").FullName;

    public static string Dockerfile { get; } = Path.Combine(RepoLayout.Root, "deploy", "Dockerfile");

    /// <summary>Each publish command's arguments and the image folder it writes ("/app/silo").</summary>
    public static IReadOnlyList<(string Arguments, string Folder)> PublishCommands() =>
        PublishCommand().Matches(File.ReadAllText(Dockerfile)).Select(m => (m.Groups["arguments"].Value.Trim(), m.Groups["folder"].Value)).ToList();

    /// <summary>The assembly a publish command's project builds (its AssemblyName, else its file name).</summary>
    public static string AssemblyOf(string arguments)
    {
        var project = Path.Combine(RepoLayout.Root, arguments.Split(' ')[0]);
        var file = Directory.Exists(project) ? Directory.EnumerateFiles(project, "*.csproj").Single() : project;
        return XDocument.Load(file).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(file);
    }

    /// <summary>Runs every publish command; the image's files are then under <see cref="PathOf"/>.</summary>
    public async Task PublishAsync()
    {
        foreach (var (arguments, folder) in PublishCommands())
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = RepoLayout.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add("publish");
            foreach (var argument in arguments.Replace(folder, PathOf(folder), StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                start.ArgumentList.Add(argument);
            }

            using var publish = Process.Start(start)!;
            var output = publish.StandardOutput.ReadToEndAsync();
            var errors = publish.StandardError.ReadToEndAsync();
            await publish.WaitForExitAsync();
            Assert.True(publish.ExitCode == 0, $"dotnet publish {arguments} failed:{Environment.NewLine}{await output}{await errors}");
        }
    }

    /// <summary>Where a path of the image ("/app/silo/ProductOps.Silo.dll") is here.</summary>
    public string PathOf(string imagePath) => Path.Combine(_root, imagePath.TrimStart('/'));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [GeneratedRegex(@"dotnet publish (?<arguments>\S+ [^&\\\n]*?-o (?<folder>/app/\S+)[^&\\\n]*)")]
    private static partial Regex PublishCommand();
}

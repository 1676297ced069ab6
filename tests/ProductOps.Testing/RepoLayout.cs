namespace ProductOps.Testing;

/// <summary>Where the repository and the hosts' build output are, seen from the running test
/// assembly's own output folder (bin/&lt;Configuration&gt;/&lt;framework&gt;/).</summary>
public static class RepoLayout
{
    private static readonly DirectoryInfo OutputFolder = new(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));

    /// <summary>The folder holding ProductOps.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever the test assembly was built as.</summary>
    public static string Configuration { get; } = OutputFolder.Parent?.Name
        ?? throw new InvalidOperationException($"cannot tell the build configuration from {OutputFolder.FullName}");

    public static string TargetFramework { get; } = OutputFolder.Name;

    /// <summary>The all-in-one node (or a silo of a cluster).</summary>
    public static string SiloDll => HostDll("silo/ProductOps.Silo", "ProductOps.Silo");

    /// <summary>The stand-alone gateway of a cluster.</summary>
    public static string GatewayDll => HostDll("gateway/ProductOps.Gateway.Host", "ProductOps.Gateway.Host");

    /// <summary>The productops CLI.</summary>
    public static string CliDll => HostDll("tools/ProductOps.Cli", "productops");

    /// <summary>A host project's build output in this configuration; the test project builds it
    /// first through a project reference that does not reference its assembly.</summary>
    private static string HostDll(string projectFolder, string assembly)
    {
        var path = Path.Combine(Root, projectFolder, "bin", Configuration, TargetFramework, assembly + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{assembly} is not built for {Configuration}; build the solution first", path);
    }

    private static string FindRoot()
    {
        for (var folder = OutputFolder; folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ProductOps.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"no folder above {OutputFolder.FullName} holds ProductOps.sln");
    }
}

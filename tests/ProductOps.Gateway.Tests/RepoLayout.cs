namespace ProductOps.Gateway.Tests;

/// <summary>Where the repository and the silo's build output are, seen from this test assembly's
/// own output folder (bin/&lt;Configuration&gt;/&lt;framework&gt;/).</summary>
public static class RepoLayout
{
    private static readonly DirectoryInfo OutputFolder = new(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));

    /// <summary>The folder holding ProductOps.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>Debug or Release: whatever this test assembly was built as.</summary>
    public static string Configuration { get; } = OutputFolder.Parent?.Name
        ?? throw new InvalidOperationException($"cannot tell the build configuration from {OutputFolder.FullName}");

    public static string TargetFramework { get; } = OutputFolder.Name;

    /// <summary>The all-in-one node, built first through the project reference.</summary>
    public static string SiloDll { get; } = Path.Combine(Root, "silo", "ProductOps.Silo", "bin", Configuration, TargetFramework, "ProductOps.Silo.dll");

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

using System.Diagnostics;

namespace ProductOps.Bench;

/// <summary>Where the repository is and which commit the harness and node were built from.</summary>
internal static class RepoInfo
{
    public static string? FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ProductOps.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>HEAD's commit, with "+dirty" when the working tree has changes; null without git.</summary>
    public static string? Commit()
    {
        var root = FindRoot();
        if (root is null)
        {
            return null;
        }

        var head = Git(root, "rev-parse", "HEAD");
        if (head is null)
        {
            return null;
        }

        var status = Git(root, "status", "--porcelain", "--untracked-files=no");
        return string.IsNullOrEmpty(status) ? head : head + "+dirty";
    }

    private static string? Git(string root, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add("-C");
            info.ArgumentList.Add(root);
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            using var git = Process.Start(info);
            if (git is null)
            {
                return null;
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

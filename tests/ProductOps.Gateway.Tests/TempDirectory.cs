namespace ProductOps.Gateway.Tests;

/// <summary>A fresh data directory under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Create();

    /// <summary>Creates a fresh, empty directory and returns its path.</summary>
    public static string Create()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "productops-gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    public static void Delete(string path)
    {
        try
        {
            Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // a child process still holds a file: the system cleans its temp folder
        }
    }

    public void Dispose() => Delete(Path);
}

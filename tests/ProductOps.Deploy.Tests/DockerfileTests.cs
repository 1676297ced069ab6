using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ProductOps.Testing;

namespace ProductOps.Deploy.Tests;

/// <summary>The Dockerfile's base images: pinned, and to the .NET the project targets, so an
/// image rebuilt later holds the runtime the tests ran on rather than whatever a floating tag
/// names that day.</summary>
public sealed partial class DockerfileTests
{
    private static readonly string Text = File.ReadAllText(DockerImage.Dockerfile);

    [Fact]
    public void BaseImages_ArePinnedToAPatchVersionOrADigest()
    {
        var images = BaseImages();

        Assert.Equal(["mcr.microsoft.com/dotnet/sdk", "mcr.microsoft.com/dotnet/aspnet"], images.Select(i => i.Repository));
        foreach (var (repository, tag) in images)
        {
            Assert.True(PinnedTag().IsMatch(tag), $"{repository}:{tag} floats: name a patch version (10.0.12) or a digest");
        }
    }

    [Fact]
    public void BaseImages_AreTheDotNetTheProjectTargets()
    {
        var framework = XDocument.Load(Path.Combine(RepoLayout.Root, "Directory.Build.props"))
            .Descendants("TargetFramework").Single().Value; // "net10.0"
        var release = framework["net".Length..] + ".";
        var images = BaseImages();
        foreach (var (repository, tag) in images)
        {
            Assert.True(tag.StartsWith(release, StringComparison.Ordinal), $"{repository}:{tag} is not .NET {release}x ({framework})");
        }

        // The SDK image must be one global.json accepts under its roll-forward policy.
        var sdkSettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, "global.json"))).RootElement.GetProperty("sdk");
        var wanted = Version.Parse(sdkSettings.GetProperty("version").GetString()!);
        var policy = sdkSettings.TryGetProperty("rollForward", out var rollForward) ? rollForward.GetString()! : "latestPatch";
        var sdk = Version.Parse(images[0].Tag.Split('@', '-')[0]);
        Assert.True(Accepts(policy, wanted, sdk), $"the SDK image {sdk} does not satisfy global.json's {wanted} (rollForward {policy})");
    }

    /// <summary>Whether an SDK version satisfies global.json's version under its roll-forward policy.</summary>
    private static bool Accepts(string policy, Version wanted, Version sdk)
    {
        var sameBand = sdk.Major == wanted.Major && sdk.Minor == wanted.Minor && sdk.Build / 100 == wanted.Build / 100;
        var sameRelease = sdk.Major == wanted.Major && sdk.Minor == wanted.Minor;
        return sdk >= wanted && policy switch
        {
            "disable" => sdk == wanted,
            "patch" or "latestPatch" => sameBand,
            "feature" or "latestFeature" => sameRelease,
            "minor" or "latestMinor" => sdk.Major == wanted.Major,
            "major" or "latestMajor" => true,
            _ => throw new InvalidOperationException($"global.json: unknown rollForward {policy}"),
        };
    }

    /// <summary>Each FROM's repository and tag, an ARG's default put in for its reference (only
    /// the ARGs before the first FROM are in scope there).</summary>
    private static List<(string Repository, string Tag)> BaseImages()
    {
        var header = Text[..From().Match(Text).Index];
        var arguments = Argument().Matches(header).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        return From().Matches(Text)
            .Select(m => m.Groups["image"].Value)
            .Select(image => ArgumentReference().Replace(image, r => arguments.TryGetValue(r.Groups["name"].Value, out var value)
                ? value
                : throw new InvalidOperationException($"{image} names an ARG without a default before the first FROM")))
            .Select(SplitTag)
            .ToList();
    }

    /// <summary>"repository:tag", "repository:tag@sha256:..." or "repository@sha256:..."; the tag
    /// keeps the digest.</summary>
    private static (string Repository, string Tag) SplitTag(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var (name, digest) = at < 0 ? (image, "") : (image[..at], image[at..]);
        var colon = name.IndexOf(':', name.LastIndexOf('/') + 1);
        return colon < 0 ? (name, digest) : (name[..colon], name[(colon + 1)..] + digest);
    }

    [GeneratedRegex(@"^ARG\s+(?<name>\w+)=(?<value>\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex Argument();

    [GeneratedRegex(@"^FROM\s+(--\S+\s+)*(?<image>\S+)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex From();

    [GeneratedRegex(@"\$\{(?<name>\w+)\}")]
    private static partial Regex ArgumentReference();

    // 10.0.12 or 10.0.12-noble, either perhaps with a digest after it; or a digest alone.
    [GeneratedRegex(@"^(\d+\.\d+\.\d+(-[\w.]+)?(@sha256:[0-9a-f]{64})?|[\w.-]*@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedTag();
}

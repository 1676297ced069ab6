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
        foreach (var (repository, tag) in BaseImages())
        {
            Assert.True(tag.StartsWith(release, StringComparison.Ordinal), $"{repository}:{tag} is not .NET {release}x ({framework})");
        }

        // The SDK image must be one global.json accepts: the same feature band or a later one.
        var wanted = Version.Parse(JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoLayout.Root, "global.json")))
            .RootElement.GetProperty("sdk").GetProperty("version").GetString()!);
        var sdk = Version.Parse(BaseImages()[0].Tag.Split('@')[0]);
        Assert.True(sdk.Major == wanted.Major && sdk.Minor == wanted.Minor && sdk.Build >= wanted.Build,
            $"the SDK image {sdk} does not satisfy global.json's {wanted}");
    }

    /// <summary>Each FROM's repository and tag, an ARG's default put in for its reference.</summary>
    private static List<(string Repository, string Tag)> BaseImages()
    {
        var arguments = Argument().Matches(Text).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["value"].Value);
        return From().Matches(Text)
            .Select(m => m.Groups["image"].Value)
            .Select(image => ArgumentReference().Replace(image, r => arguments.TryGetValue(r.Groups["name"].Value, out var value)
                ? value
                : throw new InvalidOperationException($"{image} names an ARG without a default")))
            .Select(SplitTag)
            .ToList();
    }

    /// <summary>"repository:tag", where the tag may carry a digest ("10.0.12@sha256:...").</summary>
    private static (string Repository, string Tag) SplitTag(string image)
    {
        var colon = image.IndexOf(':', image.LastIndexOf('/') + 1);
        return colon < 0 ? (image, "latest") : (image[..colon], image[(colon + 1)..]);
    }

    [GeneratedRegex(@"^ARG (?<name>\w+)=(?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Argument();

    [GeneratedRegex(@"^FROM (?<image>\S+)", RegexOptions.Multiline)]
    private static partial Regex From();

    [GeneratedRegex(@"\$\{(?<name>\w+)\}")]
    private static partial Regex ArgumentReference();

    // 10.0.12, or any tag with a digest after it.
    [GeneratedRegex(@"^(\d+\.\d+\.\d+|[\w.-]+@sha256:[0-9a-f]{64})$")]
    private static partial Regex PinnedTag();
}

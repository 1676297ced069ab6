using System.Text;
using ProductOps.Gateway.Ingest;

namespace ProductOps.Gateway.Tests;

/// <summary>The tenant's shared strings, looked up by UTF-8 bytes or by a string.</summary>
public sealed class StringCacheTests
{
    private readonly StringCache _strings = new();

    [Fact]
    public void Intern_SameTextAsBytesOrString_OneInstance()
    {
        var first = _strings.Intern("feature_used"u8);

        Assert.Equal("feature_used", first);
        Assert.Same(first, _strings.Intern("feature_used"u8));
        Assert.Same(first, _strings.Intern(new string("feature_used".AsSpan())));
    }

    [Fact]
    public void Intern_StringFirst_KeepsThatInstance()
    {
        var key = new string("error_code".AsSpan());

        Assert.Same(key, _strings.Intern(key));
        Assert.Same(key, _strings.Intern("error_code"u8));
    }

    [Fact]
    public void Intern_LoneSurrogate_NotSharedAndNotConfusedWithItsReplacement()
    {
        var lone = "a\uD800";

        Assert.Same(lone, _strings.Intern(lone));
        Assert.Equal("a\uFFFD", _strings.Intern(Encoding.UTF8.GetBytes("a\uFFFD")));
        Assert.Same(lone, _strings.Intern(lone));
    }

    [Fact]
    public void Intern_LongerThanASlotHolds_DecodedEachTime()
    {
        var text = new string('x', 200);
        var bytes = Encoding.UTF8.GetBytes(text);

        var first = _strings.Intern(bytes);

        Assert.Equal(text, first);
        Assert.NotSame(first, _strings.Intern(bytes));
        Assert.Same(text, _strings.Intern(text));
    }
}

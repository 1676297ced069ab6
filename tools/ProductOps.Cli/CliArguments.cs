using System.Globalization;
using Google.Protobuf.WellKnownTypes;

namespace ProductOps.Cli;

/// <summary>A command's parsed arguments: positionals and <c>--name value</c> / <c>--name=value</c>
/// options, checked against the options the command declares.</summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CliOption> _declared = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    private CliArguments()
    {
    }

    public IReadOnlyList<string> Positionals => _positionals;

    public static CliArguments Parse(IReadOnlyList<string> args, IReadOnlyList<CliOption> options)
    {
        var parsed = new CliArguments();
        foreach (var option in options)
        {
            parsed._declared[option.Name] = option;
        }

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                parsed._positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (!parsed._declared.TryGetValue(name, out var declared))
            {
                throw new CliUsageException($"Unknown option --{name}.");
            }

            if (declared.IsFlag)
            {
                if (value is not null)
                {
                    throw new CliUsageException($"--{name} takes no value.");
                }
            }
            else if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new CliUsageException($"--{name} needs a value ({declared.ValueName}).");
                }

                value = args[++i];
            }

            parsed._values[name] = value;
            if (value is not null)
            {
                if (!parsed._repeated.TryGetValue(name, out var all))
                {
                    parsed._repeated[name] = all = [];
                }

                all.Add(value);
            }
        }

        return parsed;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string GetString(string name) =>
        _values.TryGetValue(name, out var value) && value is not null
            ? value
            : _declared[name].Default ?? throw new CliUsageException($"--{name} is required.");

    /// <summary>Every value of an option given more than once (in order); empty when not given.</summary>
    public IReadOnlyList<string> GetAll(string name) => _repeated.TryGetValue(name, out var all) ? all : [];

    public string? GetOptionalString(string name) =>
        _values.TryGetValue(name, out var value) ? value : _declared[name].Default;

    public int GetInt(string name, int min, int max)
    {
        var text = GetString(name);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            || value < min || value > max)
        {
            throw new CliUsageException($"--{name} must be a whole number from {min} to {max}, not '{text}'.");
        }

        return value;
    }

    public Uri GetUri(string name)
    {
        var text = GetString(name);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliUsageException($"--{name} must be an http:// or https:// URL, not '{text}'.");
        }

        return uri;
    }

    public DateOnly? GetDate(string name)
    {
        var text = GetOptionalString(name);
        if (text is null)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new CliUsageException($"--{name} must be a date as yyyy-MM-dd, not '{text}'.");
    }

    /// <summary>A day (midnight UTC) or a full ISO 8601 time; null when not given.</summary>
    public Timestamp? GetTimestamp(string name)
    {
        var text = GetOptionalString(name);
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return Timestamp.FromDateTimeOffset(new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? Timestamp.FromDateTimeOffset(time)
            : throw new CliUsageException($"--{name} must be yyyy-MM-dd or an ISO 8601 time, not '{text}'.");
    }

    /// <summary>The one positional argument the command takes.</summary>
    public string GetSinglePositional(string what)
    {
        return _positionals.Count switch
        {
            1 => _positionals[0],
            0 => throw new CliUsageException($"Missing {what}."),
            _ => throw new CliUsageException($"Expected one {what}, got: {string.Join(' ', _positionals)}."),
        };
    }

    public void ExpectNoPositionals()
    {
        if (_positionals.Count > 0)
        {
            throw new CliUsageException($"Unexpected argument '{_positionals[0]}'.");
        }
    }
}

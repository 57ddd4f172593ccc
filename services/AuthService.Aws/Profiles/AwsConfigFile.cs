using System.Text.RegularExpressions;

namespace AuthService.Aws.Profiles;

/// <summary>One section of a shared config/credentials file: <c>[default]</c>, <c>[name]</c>, <c>[profile name]</c>, <c>[services name]</c>, ...</summary>
/// <param name="Header">The text between the brackets, trimmed (e.g. <c>profile prod</c>).</param>
/// <param name="Properties">Its properties; names are case-insensitive.</param>
/// <param name="SubProperties">Nested properties (<c>s3 =</c> followed by indented <c>key = value</c> lines).</param>
public sealed record AwsConfigSection(
    string Header,
    IReadOnlyDictionary<string, string> Properties,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> SubProperties);

/// <summary>
/// Parser of the AWS shared config and credentials files (the INI dialect the SDKs read): <c>#</c> and <c>;</c> start a
/// comment line; <c>key = value</c> lines, the value running to the end of the line (there are no inline comments in
/// values, as in botocore, so a command line may hold <c>;</c> and <c>#</c>); an indented line continues a property
/// that was left empty (nested properties). Every problem is reported at once, with its line.
/// </summary>
public static partial class AwsConfigFile
{
    /// <summary>Parses the file at <paramref name="path"/>; a missing file is empty.</summary>
    public static IReadOnlyList<AwsConfigSection> Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return [];
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AwsConfigFileException($"{path}: cannot be read ({e.Message}): check its permissions (the service user must be able to read it).", e);
        }

        return Parse(text, path);
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in error messages.</summary>
    public static IReadOnlyList<AwsConfigSection> Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var problems = new List<string>();
        var sections = new List<SectionBuilder>();
        SectionBuilder? current = null;
        string? lastKey = null;
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');

        for (var index = 0; index < lines.Length; index++)
        {
            var raw = lines[index];
            var where = $"{source}:{index + 1}";
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var header = SectionPattern().Match(line);
                if (!header.Success)
                {
                    problems.Add($"{where}: '{Shorten(line)}' is not a section header: write it as [name] or [profile name].");
                    current = null;
                    continue;
                }

                var name = SpacePattern().Replace(header.Groups["name"].Value.Trim(), " ");
                if (Credentials.CommandLineRedactor.Redact(name) != name)
                {
                    // A credential_process line pasted into the brackets: the name would carry its PIN into every
                    // message that names the profile, so it is refused, and not quoted.
                    problems.Add($"{where}: the section header holds a pin-value/pin-source or password (a credential_process line inside the brackets?): " +
                        "write the header as [name] alone and 'credential_process = ...' on the next line.");
                    current = null;
                    continue;
                }

                current = new SectionBuilder(name);
                sections.Add(current);
                lastKey = null;

                // Lenient: "[name] key = value" on one line (a documentation page flattened into one line) is a
                // section followed by a property, rather than a property silently dropped.
                var rest = header.Groups["rest"].Value.Trim();
                if (rest.Length > 0 && rest[0] is not '#' and not ';')
                {
                    lastKey = AddProperty(current, rest, where, problems, lastKeyBefore: null);
                }

                continue;
            }

            if (char.IsWhiteSpace(raw[0]) && current is not null && lastKey is not null)
            {
                // An indented line continues the previous property.
                if (string.Equals(lastKey, "credential_process", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"{where}: the credential_process value must be on a single line: join this line to the 'credential_process =' line above (no line breaks).");
                    continue;
                }

                if (current.Properties[lastKey].Length != 0)
                {
                    problems.Add($"{where}: this indented line continues '{lastKey}', which already has a value: a value must be on one line (indent only nested properties under an empty 'key =').");
                    continue;
                }

                var nested = SplitProperty(line);
                if (nested is null)
                {
                    problems.Add($"{where}: nested lines under '{lastKey}' must be 'key = value'.");
                    continue;
                }

                if (!current.SubProperties.TryGetValue(lastKey, out var sub))
                {
                    sub = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    current.SubProperties[lastKey] = sub;
                }

                sub[nested.Value.Key] = nested.Value.Value;
                continue;
            }

            if (current is null)
            {
                problems.Add($"{where}: '{Shorten(line)}' comes before any [section]: put it under a [profile] header.");
                continue;
            }

            lastKey = AddProperty(current, line, where, problems, lastKey);
        }

        if (problems.Count > 0)
        {
            throw new AwsConfigFileException(problems);
        }

        // Repeated sections merge, later values winning, as the SDKs do.
        return sections
            .GroupBy(s => s.Header, StringComparer.Ordinal)
            .Select(group =>
            {
                var properties = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                var subProperties = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
                foreach (var section in group)
                {
                    foreach (var (key, value) in section.Properties)
                    {
                        properties[key] = value;
                    }

                    foreach (var (key, value) in section.SubProperties)
                    {
                        subProperties[key] = value;
                    }
                }

                return new AwsConfigSection(group.Key, properties, subProperties);
            })
            .ToList();
    }

    private static string? AddProperty(SectionBuilder section, string line, string where, List<string> problems, string? lastKeyBefore)
    {
        var property = SplitProperty(line);
        if (property is null)
        {
            problems.Add(lastKeyBefore is not null && string.Equals(lastKeyBefore, "credential_process", StringComparison.OrdinalIgnoreCase)
                ? $"{where}: the credential_process value must be on a single line: join this line to the 'credential_process =' line above (no line breaks)."
                : $"{where}: '{Shorten(line)}' is not 'key = value', a [section] or a comment.");
            return lastKeyBefore;
        }

        section.Properties[property.Value.Key] = property.Value.Value;
        return property.Value.Key;
    }

    private static KeyValuePair<string, string>? SplitProperty(string line)
    {
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        var key = line[..equals].Trim();
        return KeyPattern().IsMatch(key) ? new(key, line[(equals + 1)..].Trim()) : null;
    }

    // What messages may quote from these files lives here: a broken line or a run-on value may hold a secret
    // (a PIN in a pkcs11: URI, a key), and errors reach logs and callers.

    /// <summary>
    /// A profile name as messages quote it: a name with quotes, '=', control characters or over 64 characters is
    /// not a name anyone typed as one (two lines run together, a value pasted in the wrong place) and may hold a
    /// secret, so it is described instead.
    /// </summary>
    internal static string QuotedName(string name) =>
        name.Length <= 64 && !name.Any(c => c is '\'' or '"' or '=' || char.IsControl(c))
            ? $"'{name}'"
            : "(a name not shown: it holds quotes, '=' or control characters, or is very long; is a line break missing?)";

    /// <summary>
    /// A value of a closed set (credential_source) or a number (duration_seconds) as messages quote it: only when it
    /// is one short word. A longer one is a run-on line or a pasted key, and may hold a secret.
    /// </summary>
    internal static string QuotedValue(string value) => PlainWord().IsMatch(value)
        ? $"'{value}'"
        : "(value not shown: it is not one short word; is a line break missing, or a key pasted on this line?)";

    /// <summary>
    /// How a malformed line is named in an error: its key at most, never its content, because a misplaced line
    /// may be a secret key pasted in the wrong place.
    /// </summary>
    private static string Shorten(string line)
    {
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        var key = equals > 0 ? line[..equals].Trim() : string.Empty;
        return KeyPattern().IsMatch(key) ? key + " = ..." : "(content not shown)";
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]{1,24}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainWord();

    [GeneratedRegex(@"^\[(?<name>[^\]]+)\](?<rest>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex SectionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.\-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex SpacePattern();

    private sealed class SectionBuilder(string header)
    {
        public string Header { get; } = header;

        public Dictionary<string, string> Properties { get; } = new(StringComparer.OrdinalIgnoreCase);

        public Dictionary<string, Dictionary<string, string>> SubProperties { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}

namespace AuthService.Aws.Profiles;

/// <summary>The profiles of a config file and a credentials file, merged as the AWS SDKs merge them.</summary>
public sealed class AwsProfileStore
{
    private readonly Dictionary<string, AwsProfile> _profiles;

    private AwsProfileStore(Dictionary<string, AwsProfile> profiles, AwsProfilePaths paths)
    {
        _profiles = profiles;
        Paths = paths;
    }

    /// <summary>The files the profiles came from.</summary>
    public AwsProfilePaths Paths { get; }

    /// <summary>Every profile name.</summary>
    public IReadOnlyCollection<string> ProfileNames => _profiles.Keys;

    /// <summary>The profile to use when none is named: <c>AWS_PROFILE</c>, else <c>default</c>.</summary>
    public static string DefaultProfileName(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("AWS_PROFILE") is { Length: > 0 } name ? name : "default";
    }

    /// <summary>Loads and merges both files. Problems in either file are reported together.</summary>
    /// <exception cref="AwsConfigFileException">A file is malformed (every problem listed).</exception>
    public static AwsProfileStore Load(AwsProfilePaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var problems = new List<string>();
        var config = LoadCollecting(paths.ConfigFile, problems);
        var credentials = LoadCollecting(paths.CredentialsFile, problems);
        if (problems.Count > 0)
        {
            throw new AwsConfigFileException(problems);
        }

        return FromSections(config, credentials, paths);
    }

    /// <summary>Builds the store from already parsed sections (config file first, then credentials file).</summary>
    public static AwsProfileStore FromSections(IReadOnlyList<AwsConfigSection> config, IReadOnlyList<AwsConfigSection> credentials, AwsProfilePaths paths)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(credentials);
        var merged = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var services = config.Where(s => s.Header.StartsWith("services ", StringComparison.Ordinal))
            .ToDictionary(s => s.Header["services ".Length..].Trim(), s => s.SubProperties, StringComparer.Ordinal);

        // Config file: [default] or [profile name]; any other bare [name] is not a profile there (botocore ignores it).
        foreach (var section in config)
        {
            var name = section.Header == "default" ? "default"
                : section.Header.StartsWith("profile ", StringComparison.Ordinal) ? section.Header["profile ".Length..].Trim()
                : null;
            if (name is not null)
            {
                Merge(merged, name, section.Properties);
            }
        }

        // Credentials file: [name]; its values win over the config file's.
        foreach (var section in credentials)
        {
            Merge(merged, section.Header, section.Properties);
        }

        var profiles = merged.ToDictionary(
            p => p.Key,
            p => new AwsProfile(p.Key, p.Value, p.Value.TryGetValue("services", out var servicesName) && services.TryGetValue(servicesName, out var section) ? section : null),
            StringComparer.Ordinal);
        return new AwsProfileStore(profiles, paths);
    }

    /// <summary>The profile named <paramref name="name"/>, or null.</summary>
    public AwsProfile? Find(string name) => _profiles.GetValueOrDefault(name);

    /// <summary>The profile named <paramref name="name"/>.</summary>
    /// <exception cref="AwsConfigFileException">No such profile; the message lists the ones there are.</exception>
    public AwsProfile Get(string name) => Find(name) ?? throw new AwsConfigFileException(
        $"No profile {AwsConfigFile.QuotedName(name)} in {Paths.CredentialsFile} or {Paths.ConfigFile}" +
        (_profiles.Count == 0 ? ": the files are missing or empty; mount them or set AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE." : $". Profiles there: {string.Join(", ", _profiles.Keys.Order(StringComparer.Ordinal))}."));

    private static IReadOnlyList<AwsConfigSection> LoadCollecting(string path, List<string> problems)
    {
        try
        {
            return AwsConfigFile.Load(path);
        }
        catch (AwsConfigFileException e)
        {
            problems.AddRange(e.Problems);
            return [];
        }
    }

    private static void Merge(Dictionary<string, Dictionary<string, string>> merged, string name, IReadOnlyDictionary<string, string> properties)
    {
        if (!merged.TryGetValue(name, out var target))
        {
            target = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            merged[name] = target;
        }

        foreach (var (key, value) in properties)
        {
            target[key] = value;
        }
    }
}

namespace AuthService.Aws.Profiles;

/// <summary>Where the shared config and credentials files are.</summary>
/// <param name="ConfigFile">The config file (<c>AWS_CONFIG_FILE</c>).</param>
/// <param name="CredentialsFile">The credentials file (<c>AWS_SHARED_CREDENTIALS_FILE</c>).</param>
public sealed record AwsProfilePaths(string ConfigFile, string CredentialsFile)
{
    /// <summary>
    /// The default directory: the bind mount of the Alation Agent's Authentication Service add-on
    /// (host <c>/etc/hydra/auth/.aws</c>), not <c>~/.aws</c>.
    /// </summary>
    public const string DefaultDirectory = "/opt/alation/site/config/authserver/.aws";

    /// <summary>The paths from <c>AWS_CONFIG_FILE</c> and <c>AWS_SHARED_CREDENTIALS_FILE</c>, else <see cref="DefaultDirectory"/>.</summary>
    public static AwsProfilePaths FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return new AwsProfilePaths(
            Expand(environment("AWS_CONFIG_FILE"), environment) ?? Path.Combine(DefaultDirectory, "config"),
            Expand(environment("AWS_SHARED_CREDENTIALS_FILE"), environment) ?? Path.Combine(DefaultDirectory, "credentials"));
    }

    private static string? Expand(string? path, Func<string, string?> environment)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        path = path.Trim();
        return path.StartsWith("~/", StringComparison.Ordinal) && environment("HOME") is { Length: > 0 } home
            ? Path.Combine(home, path[2..])
            : path;
    }
}

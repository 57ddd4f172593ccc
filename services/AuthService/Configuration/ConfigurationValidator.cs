using System.Text.RegularExpressions;
using AuthService.Secrets;

namespace AuthService.Configuration;

/// <summary>Checks configurations and reports every problem at once, each with its location and the fix.</summary>
public static partial class ConfigurationValidator
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]$")]
    private static partial Regex RegionPattern();

    [GeneratedRegex("^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:[0-9]{12}:trust-anchor/[0-9a-f-]+$")]
    private static partial Regex TrustAnchorArnPattern();

    [GeneratedRegex("^arn:aws[a-z-]*:rolesanywhere:[a-z0-9-]+:[0-9]{12}:profile/[0-9a-f-]+$")]
    private static partial Regex ProfileArnPattern();

    [GeneratedRegex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$")]
    private static partial Regex RoleArnPattern();

    public static IReadOnlyList<string> Validate(IReadOnlyList<AuthConfiguration> configurations)
    {
        ArgumentNullException.ThrowIfNull(configurations);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < configurations.Count; i++)
        {
            var configuration = configurations[i];
            var where = $"configurations[{i}] ({configuration.Name})";
            if (!seen.Add(configuration.Name))
            {
                errors.Add($"{where}: the name '{configuration.Name}' is used twice; names must be unique.");
            }

            errors.AddRange(Validate(configuration).Select(e => $"{where}: {e}"));
        }

        return errors;
    }

    public static IReadOnlyList<string> Validate(AuthConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new List<string>();
        if (!NamePattern().IsMatch(configuration.Name ?? string.Empty))
        {
            errors.Add("name must be 1-64 letters, digits, '.', '_' or '-'.");
        }

        if (configuration.Method != AuthConfiguration.SecretsManagerMethod)
        {
            errors.Add($"method '{configuration.Method}' is not supported; use \"{AuthConfiguration.SecretsManagerMethod}\".");
        }

        if (!RegionPattern().IsMatch(configuration.Region ?? string.Empty))
        {
            errors.Add($"region '{configuration.Region}' is not an AWS region name such as \"us-east-1\".");
        }

        if (configuration.EndpointUrl is { } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
        {
            errors.Add($"endpointUrl '{endpoint}' is not an absolute http(s) URL.");
        }

        if (configuration.Auth is null)
        {
            errors.Add($"auth is missing; set auth.type to one of: {string.Join(", ", AuthSettings.Types)}.");
        }
        else
        {
            errors.AddRange(ValidateAuth(configuration.Auth));
        }

        if (configuration.Cache is not null)
        {
            errors.AddRange(CacheOptions(configuration.Cache).Validate("cache."));
        }

        return errors;
    }

    /// <summary>The cache options a configuration's settings give, defaults filled in.</summary>
    public static SecretCacheOptions CacheOptions(CacheSettings? settings)
    {
        var options = new SecretCacheOptions();
        if (settings?.TtlSeconds is { } ttl)
        {
            options.Ttl = TimeSpan.FromSeconds(ttl);
        }

        if (settings?.MaxStaleSeconds is { } maxStale)
        {
            options.MaxStale = TimeSpan.FromSeconds(maxStale);
        }

        if (settings?.MaxEntries is { } maxEntries)
        {
            options.MaxEntries = maxEntries;
        }

        if (settings?.MaxBytes is { } maxBytes)
        {
            options.MaxBytes = maxBytes;
        }

        return options;
    }

    private static IEnumerable<string> ValidateAuth(AuthSettings auth)
    {
        switch (auth.Type)
        {
            case AuthSettings.ProfileType or AuthSettings.StaticKeysType:
                if (string.IsNullOrWhiteSpace(auth.Profile))
                {
                    yield return $"auth.profile is required for auth type {auth.Type}: the profile name in the mounted .aws/credentials or .aws/config.";
                }

                break;
            case AuthSettings.RolesAnywhereType:
                foreach (var (field, value) in new[] { ("certificate", auth.Certificate), ("privateKey", auth.PrivateKey) })
                {
                    if (string.IsNullOrWhiteSpace(value))
                    {
                        yield return $"auth.{field} is required for roles-anywhere: a PEM file path or a pkcs11: URI.";
                    }
                    else if (value.Contains("pin-value", StringComparison.OrdinalIgnoreCase))
                    {
                        yield return $"auth.{field} contains pin-value; a configuration never holds a PIN. Use pin-source=<file> in the URI, or a credentials profile.";
                    }
                }

                if (!TrustAnchorArnPattern().IsMatch(auth.TrustAnchorArn ?? string.Empty))
                {
                    yield return "auth.trustAnchorArn must be an IAM Roles Anywhere trust anchor ARN (arn:aws:rolesanywhere:<region>:<account>:trust-anchor/<id>).";
                }

                if (!ProfileArnPattern().IsMatch(auth.ProfileArn ?? string.Empty))
                {
                    yield return "auth.profileArn must be an IAM Roles Anywhere profile ARN (arn:aws:rolesanywhere:<region>:<account>:profile/<id>).";
                }

                if (!RoleArnPattern().IsMatch(auth.RoleArn ?? string.Empty))
                {
                    yield return "auth.roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>).";
                }

                break;
            case AuthSettings.AssumeRoleType:
                if (!RoleArnPattern().IsMatch(auth.RoleArn ?? string.Empty))
                {
                    yield return "auth.roleArn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>).";
                }

                if (string.IsNullOrWhiteSpace(auth.SourceProfile))
                {
                    yield return "auth.sourceProfile is required for assume-role: the profile whose credentials call sts:AssumeRole.";
                }

                break;
            case AuthSettings.InstanceProfileType:
                break;
            default:
                yield return $"auth.type '{auth.Type}' is not known; use one of: {string.Join(", ", AuthSettings.Types)}.";
                break;
        }

        if (auth.SessionDurationSeconds is { } duration && (duration < 900 || duration > 43200))
        {
            yield return $"auth.sessionDurationSeconds {duration} is out of range: use 900 to 43200.";
        }
    }
}

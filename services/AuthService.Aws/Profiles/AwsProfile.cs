using AuthService.Aws.Credentials;

namespace AuthService.Aws.Profiles;

/// <summary>A named profile: the config file's <c>[profile name]</c> merged with the credentials file's <c>[name]</c> (which wins).</summary>
public sealed class AwsProfile
{
    private static readonly HashSet<string> SecretKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws_secret_access_key", "aws_session_token", "credential_process",
    };

    private readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _services;

    /// <summary>Creates a profile.</summary>
    public AwsProfile(string name, IReadOnlyDictionary<string, string> properties, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? servicesSection = null)
    {
        Name = name;
        Properties = properties;
        _services = servicesSection ?? new Dictionary<string, IReadOnlyDictionary<string, string>>();
    }

    /// <summary>The profile name.</summary>
    public string Name { get; }

    /// <summary>All properties (names case-insensitive). Some are secrets: never log them.</summary>
    public IReadOnlyDictionary<string, string> Properties { get; }

    /// <summary>The <c>region</c>.</summary>
    public string? Region => Get("region");

    /// <summary>The <c>credential_process</c> command line.</summary>
    public string? CredentialProcess => Get("credential_process");

    /// <summary>The <c>role_arn</c> to assume.</summary>
    public string? RoleArn => Get("role_arn");

    /// <summary>The <c>source_profile</c> whose credentials assume <see cref="RoleArn"/>.</summary>
    public string? SourceProfile => Get("source_profile");

    /// <summary>The <c>credential_source</c> (Environment, Ec2InstanceMetadata, EcsContainer) for <see cref="RoleArn"/>.</summary>
    public string? CredentialSource => Get("credential_source");

    /// <summary><c>use_fips_endpoint = true</c>.</summary>
    public bool UseFipsEndpoint => string.Equals(Get("use_fips_endpoint"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Static keys (<c>aws_access_key_id</c>, <c>aws_secret_access_key</c>, optional <c>aws_session_token</c>), or null.</summary>
    public AwsCredentials? StaticCredentials =>
        Get("aws_access_key_id") is { Length: > 0 } id && Get("aws_secret_access_key") is { Length: > 0 } secret
            ? new AwsCredentials(id, secret, Get("aws_session_token") is { Length: > 0 } token ? token : null)
            : null;

    /// <summary>A property, or null when absent.</summary>
    public string? Get(string key) => Properties.TryGetValue(key, out var value) ? value : null;

    /// <summary>
    /// The endpoint for a service: the <c>[services]</c> section's <c>&lt;service&gt; = endpoint_url = ...</c>, else the
    /// profile's <c>endpoint_url</c>. <paramref name="serviceKey"/> is the snake-case service id (<c>secrets_manager</c>, <c>rolesanywhere</c>, <c>sts</c>).
    /// </summary>
    public string? EndpointUrlFor(string serviceKey) =>
        _services.TryGetValue(serviceKey, out var service) && service.TryGetValue("endpoint_url", out var url) ? url : Get("endpoint_url");

    /// <summary>Names the profile and its keys; secret values are redacted.</summary>
    public override string ToString() =>
        $"AwsProfile {{ Name = {Name}, " + string.Join(", ", Properties.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => $"{p.Key} = {(SecretKeys.Contains(p.Key) ? "(redacted)" : p.Value)}")) + " }";
}

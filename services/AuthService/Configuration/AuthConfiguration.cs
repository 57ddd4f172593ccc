using System.Text.Json.Serialization;

namespace AuthService.Configuration;

/// <summary>
/// A named authentication configuration: how to reach one AWS Secrets Manager. It names where credentials
/// come from and never holds one (file form: docs/configuration.md).
/// </summary>
public sealed record AuthConfiguration
{
    public const string SecretsManagerMethod = "aws-secrets-manager";

    /// <summary>Unique name; letters, digits, '.', '_' and '-'.</summary>
    public required string Name { get; init; }

    /// <summary>Only "aws-secrets-manager" today.</summary>
    public string Method { get; init; } = SecretsManagerMethod;

    /// <summary>AWS region of the secret store, e.g. "us-east-1".</summary>
    public required string Region { get; init; }

    /// <summary>Where AWS credentials come from.</summary>
    public required AuthSettings Auth { get; init; }

    /// <summary>Cache behaviour; unset fields take the defaults of <see cref="Secrets.SecretCacheOptions"/>.</summary>
    public CacheSettings? Cache { get; init; }

    /// <summary>Optional Secrets Manager and STS endpoint override (e.g. the AwsEmulator); default: the regional endpoints.</summary>
    public string? EndpointUrl { get; init; }
}

/// <summary>How credentials are obtained. <see cref="Type"/> decides which other fields apply.</summary>
public sealed record AuthSettings
{
    public const string ProfileType = "profile";
    public const string RolesAnywhereType = "roles-anywhere";
    public const string StaticKeysType = "static-keys";
    public const string InstanceProfileType = "instance-profile";
    public const string AssumeRoleType = "assume-role";

    public static readonly IReadOnlyList<string> Types = [ProfileType, RolesAnywhereType, StaticKeysType, InstanceProfileType, AssumeRoleType];

    /// <summary>profile, roles-anywhere, static-keys, instance-profile or assume-role.</summary>
    public required string Type { get; init; }

    /// <summary>profile / static-keys: the profile name in the mounted credentials or config file.</summary>
    public string? Profile { get; init; }

    /// <summary>roles-anywhere: certificate as a PEM path or a PKCS#11 URI.</summary>
    public string? Certificate { get; init; }

    /// <summary>roles-anywhere: private key as a PEM path or a PKCS#11 URI (pin-source only, never pin-value).</summary>
    public string? PrivateKey { get; init; }

    /// <summary>roles-anywhere: PKCS#11 module; default /usr/lib/softhsm/libsofthsm2.so.</summary>
    public string? Pkcs11Lib { get; init; }

    /// <summary>roles-anywhere: intermediate certificates (PEM path).</summary>
    public string? Intermediates { get; init; }

    public string? TrustAnchorArn { get; init; }

    public string? ProfileArn { get; init; }

    /// <summary>roles-anywhere and assume-role: the role to obtain.</summary>
    public string? RoleArn { get; init; }

    /// <summary>assume-role: the profile whose credentials call sts:AssumeRole.</summary>
    public string? SourceProfile { get; init; }

    public string? RoleSessionName { get; init; }

    public string? ExternalId { get; init; }

    /// <summary>Session length in seconds, 900 to 43200; default 3600.</summary>
    public int? SessionDurationSeconds { get; init; }
}

/// <summary>Cache settings of one configuration, in seconds and bytes.</summary>
public sealed record CacheSettings
{
    public int? TtlSeconds { get; init; }

    public int? MaxStaleSeconds { get; init; }

    public int? MaxEntries { get; init; }

    public long? MaxBytes { get; init; }
}

/// <summary>The configurations file: { "configurations": [ ... ], "access": { ... } }.</summary>
public sealed record ConfigurationDocument
{
    [JsonPropertyName("configurations")]
    public IReadOnlyList<AuthConfiguration> Configurations { get; init; } = [];

    /// <summary>Who may read what (docs/security.md); absent: every caller that reaches an endpoint may read everything.</summary>
    [JsonPropertyName("access")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Access.AccessSettings? Access { get; init; }
}

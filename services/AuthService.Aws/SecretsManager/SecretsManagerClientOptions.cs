using AuthService.Aws.Protocol;

namespace AuthService.Aws.SecretsManager;

/// <summary>Settings of a <see cref="SecretsManagerClient"/>.</summary>
public sealed record SecretsManagerClientOptions
{
    /// <summary>The region, e.g. <c>eu-west-1</c> (required).</summary>
    public required string Region { get; init; }

    /// <summary>An explicit endpoint, winning over <c>AWS_ENDPOINT_URL_SECRETS_MANAGER</c>, <c>AWS_ENDPOINT_URL</c> and the profile.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The profile's <c>endpoint_url</c>.</summary>
    public string? ProfileEndpointUrl { get; init; }

    /// <summary>Use <c>secretsmanager-fips.{region}...</c>.</summary>
    public bool UseFips { get; init; }

    /// <summary>Retry settings and environment.</summary>
    public AwsClientOptions Client { get; init; } = AwsClientOptions.Default;
}

using AuthService.Aws.Protocol;
using AuthService.Aws.Signing.X509;

namespace AuthService.Aws.Credentials;

/// <summary>What <see cref="ProfileCredentialsProviderFactory"/> needs beyond the profiles.</summary>
public sealed class ProfileCredentialsOptions
{
    /// <summary>Retry settings and environment for the AWS calls credentials need (Roles Anywhere, STS).</summary>
    public AwsClientOptions Client { get; init; } = AwsClientOptions.Default;

    /// <summary>
    /// Opens a token-held key for an <c>aws_signing_helper</c> command with <c>pkcs11:</c> URIs (the PKCS#11 layer
    /// plugs in here). Null: such profiles fail with an error that says PKCS#11 is not wired in.
    /// </summary>
    public Func<SigningHelperCommand, IX509Signer>? Pkcs11SignerFactory { get; init; }

    /// <summary>How long a generic credential_process may run (default 60 s).</summary>
    public TimeSpan CredentialProcessTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long before expiry credentials are refreshed (default 5 minutes, plus up to 1 minute of jitter).</summary>
    public TimeSpan RefreshAhead { get; init; } = TimeSpan.FromMinutes(5);
}

using System.Security.Cryptography.X509Certificates;
using AuthService.Aws.Imds;
using AuthService.Aws.Profiles;
using AuthService.Aws.RolesAnywhere;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Sts;

namespace AuthService.Aws.Credentials;

/// <summary>
/// Turns a profile into a credentials provider: static keys as they are; a generic credential_process run as a
/// child process; an <c>aws_signing_helper credential-process</c> command carried out in-process (Roles Anywhere,
/// no child process, no credentials on any stdout); <c>role_arn</c> assumed through STS with <c>source_profile</c>
/// or <c>credential_source</c> (Environment, Ec2InstanceMetadata). Temporary credentials are cached and refreshed
/// ahead of expiry.
/// </summary>
public sealed class ProfileCredentialsProviderFactory
{
    private readonly AwsProfileStore _store;
    private readonly HttpClient _httpClient;
    private readonly TimeProvider _timeProvider;
    private readonly ProfileCredentialsOptions _options;

    /// <summary>Creates the factory.</summary>
    public ProfileCredentialsProviderFactory(AwsProfileStore store, HttpClient httpClient, TimeProvider timeProvider, ProfileCredentialsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _store = store;
        _httpClient = httpClient;
        _timeProvider = timeProvider;
        _options = options ?? new ProfileCredentialsOptions();
    }

    /// <summary>A provider for <paramref name="profileName"/>. Configuration errors are thrown here, at start-up.</summary>
    /// <exception cref="Profiles.AwsConfigFileException">The profile is missing or malformed.</exception>
    /// <exception cref="NotSupportedException">The profile needs something this build lacks (PKCS#11 not wired in, an ECS container source).</exception>
    public IAwsCredentialsProvider Create(string profileName) => ProfileCredentialSources.Resolve(_store, profileName) switch
    {
        StaticKeysSource keys => new StaticCredentialsProvider(keys.Credentials),
        CredentialProcessSource process => Refreshing(new CredentialProcessRunner(_timeProvider, _options.CredentialProcessTimeout), process.CommandLine),
        SigningHelperSource helper => Refreshing(helper),
        AssumeRoleSource role => AssumeRole(role),
        var other => throw new NotSupportedException($"Unsupported credential source {other.GetType().Name}."),
    };

    /// <summary>EC2 instance profile credentials through IMDSv2, cached and refreshed ahead of expiry.</summary>
    public IAwsCredentialsProvider CreateInstanceProfileProvider()
    {
        var imds = new ImdsCredentialsClient(_httpClient, _timeProvider, ImdsCredentialsClient.EndpointFromEnvironment(_options.Client.Environment));
        return new RefreshingCredentialsProvider(imds.GetCredentialsAsync, _timeProvider, _options.RefreshAhead);
    }

    /// <summary>Carries out a signing-helper command once: CreateSession with the command's certificate and key.</summary>
    public async Task<AwsCredentials> RunSigningHelperAsync(SigningHelperCommand command, string? profileEndpointUrl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        using var signer = OpenSigner(command);
        IReadOnlyList<X509Certificate2> intermediates = command.Intermediates is null ? [] : X509KeyFiles.LoadCertificates(command.Intermediates);
        var client = new RolesAnywhereClient(_httpClient, _timeProvider, _options.Client);
        var session = await client.CreateSessionAsync(command.ToSessionRequest(intermediates, profileEndpointUrl), signer, cancellationToken).ConfigureAwait(false);
        return session.Credentials;
    }

    private RefreshingCredentialsProvider AssumeRole(AssumeRoleSource role)
    {
        IAwsCredentialsProvider source = role.CredentialSource switch
        {
            "Environment" => new EnvironmentCredentialsProvider(_options.Client.Environment),
            "Ec2InstanceMetadata" => CreateInstanceProfileProvider(),
            "EcsContainer" => throw new NotSupportedException(
                $"Profile '{role.ProfileName}': credential_source = EcsContainer is not supported here: use source_profile, Environment or Ec2InstanceMetadata."),
            // A profile naming itself as source uses its own keys (the SDKs allow it).
            _ when role.SourceProfile == role.ProfileName => new StaticCredentialsProvider(_store.Get(role.ProfileName).StaticCredentials!),
            _ => Create(role.SourceProfile!),
        };
        var region = role.Region ?? _options.Client.Environment("AWS_REGION") ?? _options.Client.Environment("AWS_DEFAULT_REGION") ?? "us-east-1";
        var profile = _store.Get(role.ProfileName);
        var sts = new StsClient(_httpClient, source, _timeProvider, region, profileEndpointUrl: profile.EndpointUrlFor("sts"), useFips: profile.UseFipsEndpoint, options: _options.Client);
        var request = new AssumeRoleRequest
        {
            RoleArn = role.RoleArn,
            RoleSessionName = role.RoleSessionName ?? "authservice-" + _timeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            DurationSeconds = role.DurationSeconds,
            ExternalId = role.ExternalId,
        };
        return new(async token => (await sts.AssumeRoleAsync(request, token).ConfigureAwait(false)).Credentials, _timeProvider, _options.RefreshAhead);
    }

    private RefreshingCredentialsProvider Refreshing(CredentialProcessRunner runner, string commandLine) =>
        new(token => runner.RunAsync(commandLine, token), _timeProvider, _options.RefreshAhead);

    private RefreshingCredentialsProvider Refreshing(SigningHelperSource helper)
    {
        // Fail at start-up, not at the first call, when the key is on a token and no PKCS#11 layer is wired in.
        if ((helper.Command.CertificateIsPkcs11 || helper.Command.PrivateKeyIsPkcs11) && _options.Pkcs11SignerFactory is null)
        {
            throw Pkcs11Missing(helper.ProfileName);
        }

        return new(token => RunSigningHelperAsync(helper.Command, helper.EndpointUrl, token), _timeProvider, _options.RefreshAhead);
    }

    private IX509Signer OpenSigner(SigningHelperCommand command)
    {
        if (command.CertificateIsPkcs11 || command.PrivateKeyIsPkcs11)
        {
            return _options.Pkcs11SignerFactory?.Invoke(command) ?? throw Pkcs11Missing(null);
        }

        // Files are read on every refresh, so a renewed certificate and key are picked up without a restart.
        return X509KeyFiles.LoadSigner(command.Certificate, command.PrivateKey, command.Pkcs8Password);
    }

    private static NotSupportedException Pkcs11Missing(string? profile) => new(
        (profile is null ? "" : $"Profile '{profile}': ") +
        "the certificate or key is a pkcs11: URI, but no PKCS#11 signer is configured: wire AuthService.Pkcs11 in (ProfileCredentialsOptions.Pkcs11SignerFactory) or use PEM files.");
}

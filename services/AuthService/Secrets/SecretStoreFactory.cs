using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Aws.SecretsManager;
using AuthService.Aws.Sts;
using AuthService.Configuration;

namespace AuthService.Secrets;

/// <summary>Builds the secret store of a configuration.</summary>
public interface ISecretStoreFactory
{
    /// <summary>The store for <paramref name="configuration"/>; problems that can be seen now (a missing profile) throw here.</summary>
    ISecretStore Create(AuthConfiguration configuration);
}

/// <summary>
/// AWS Secrets Manager stores: the configuration's auth settings become a credentials provider (cached and
/// refreshed ahead of expiry by the AWS layer), wrapped so credential failures are told apart.
/// </summary>
public sealed class AwsSecretStoreFactory : ISecretStoreFactory
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ProfileCredentialsOptions _credentialsOptions;
    private readonly Func<AwsProfileStore> _profiles;

    public AwsSecretStoreFactory(HttpClient http, TimeProvider time, ProfileCredentialsOptions credentialsOptions, Func<AwsProfileStore> profiles)
    {
        _http = http;
        _time = time;
        _credentialsOptions = credentialsOptions;
        _profiles = profiles;
    }

    public ISecretStore Create(AuthConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var credentials = new CredentialsFailureBoundary(Credentials(configuration), configuration.Name);
        var client = new SecretsManagerClient(_http, credentials, _time, new SecretsManagerClientOptions
        {
            Region = configuration.Region,
            Endpoint = configuration.EndpointUrl is null ? null : new Uri(configuration.EndpointUrl),
            Client = _credentialsOptions.Client,
        });
        return new AwsSecretStore(client, credentials);
    }

    /// <summary>The credentials provider a configuration's auth settings describe.</summary>
    public IAwsCredentialsProvider Credentials(AuthConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var auth = configuration.Auth;
        var profiles = new ProfileCredentialsProviderFactory(_profiles(), _http, _time, _credentialsOptions);
        return auth.Type switch
        {
            AuthSettings.ProfileType or AuthSettings.StaticKeysType => profiles.Create(auth.Profile!),
            AuthSettings.InstanceProfileType => profiles.CreateInstanceProfileProvider(),
            AuthSettings.RolesAnywhereType => RolesAnywhere(profiles, configuration),
            AuthSettings.AssumeRoleType => AssumeRole(profiles, configuration),
            _ => throw new InvalidOperationException($"auth.type '{auth.Type}' is not known."),
        };
    }

    private RefreshingCredentialsProvider RolesAnywhere(ProfileCredentialsProviderFactory profiles, AuthConfiguration configuration)
    {
        var auth = configuration.Auth;
        var command = new SigningHelperCommand
        {
            Certificate = auth.Certificate!,
            PrivateKey = auth.PrivateKey,
            Pkcs11Library = auth.Pkcs11Lib,
            Intermediates = auth.Intermediates,
            TrustAnchorArn = auth.TrustAnchorArn!,
            ProfileArn = auth.ProfileArn!,
            RoleArn = auth.RoleArn!,
            SessionDuration = auth.SessionDurationSeconds ?? 3600,
            RoleSessionName = auth.RoleSessionName,
        };
        return new RefreshingCredentialsProvider(token => profiles.RunSigningHelperAsync(command, null, token), _time, _credentialsOptions.RefreshAhead);
    }

    private RefreshingCredentialsProvider AssumeRole(ProfileCredentialsProviderFactory profiles, AuthConfiguration configuration)
    {
        var auth = configuration.Auth;
        var sts = new StsClient(_http, profiles.Create(auth.SourceProfile!), _time, configuration.Region, options: _credentialsOptions.Client);
        var request = new AssumeRoleRequest
        {
            RoleArn = auth.RoleArn!,
            RoleSessionName = auth.RoleSessionName ?? "authservice-" + configuration.Name,
            DurationSeconds = auth.SessionDurationSeconds,
            ExternalId = auth.ExternalId,
        };
        return new RefreshingCredentialsProvider(
            async token => (await sts.AssumeRoleAsync(request, token).ConfigureAwait(false)).Credentials, _time, _credentialsOptions.RefreshAhead);
    }
}

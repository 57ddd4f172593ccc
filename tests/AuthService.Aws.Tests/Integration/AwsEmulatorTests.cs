using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Aws.Credentials;
using AuthService.Aws.Imds;
using AuthService.Aws.Profiles;
using AuthService.Aws.Protocol;
using AuthService.Aws.RolesAnywhere;
using AuthService.Aws.SecretsManager;
using AuthService.Aws.Signing;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Sts;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Integration;

/// <summary>
/// The clients against the AwsEmulator process, which verifies every signature independently (SigV4, SigV4-X509
/// with certificate chains to a trust anchor): Roles Anywhere, Secrets Manager, STS and IMDSv2 end to end.
/// </summary>
public sealed class AwsEmulatorTests(AwsEmulatorFixture fixture) : IClassFixture<AwsEmulatorFixture>
{
    private const string Account = AwsEmulatorFixture.Account;
    private const string UserKey = AwsEmulatorFixture.UserKey;
    private const string UserSecret = AwsEmulatorFixture.UserSecret;

    private static string TrustAnchorArn => AwsEmulatorFixture.TrustAnchorArn;

    private static string ProfileArn => AwsEmulatorFixture.ProfileArn;

    private static string RoleArn => AwsEmulatorFixture.RoleArn;

    private AwsClientOptions Options => new() { Environment = name => name == "AWS_ENDPOINT_URL" ? fixture.Emulator!.Address.ToString() : null };

    private SecretsManagerClient SecretsManager(IAwsCredentialsProvider credentials) =>
        new(new HttpClient(), credentials, TimeProvider.System, new SecretsManagerClientOptions { Region = "us-east-1", Client = Options });

    [AwsEmulatorFact]
    public async Task CreateSessionThenSecretsManager_EcLeafWithIntermediate_ReadsSecrets()
    {
        // Arrange
        using var signer = X509KeyFiles.LoadSigner(fixture.CertificatePath, fixture.KeyPath);
        var roles = new RolesAnywhereClient(new HttpClient(), TimeProvider.System, Options);
        var request = new RolesAnywhereSessionRequest
        {
            TrustAnchorArn = TrustAnchorArn, ProfileArn = ProfileArn, RoleArn = RoleArn,
            Intermediates = X509KeyFiles.LoadCertificates(fixture.ChainPath),
        };

        // Act
        var session = await roles.CreateSessionAsync(request, signer);
        var sm = SecretsManager(new StaticCredentialsProvider(session.Credentials));
        var value = await sm.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "app/db" });
        var binary = await sm.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "app/api" });
        var described = await sm.DescribeSecretAsync("app/db");
        var versions = await sm.ListSecretVersionIdsAsync(new ListSecretVersionIdsRequest { SecretId = "app/db" });
        var batch = await sm.BatchGetSecretValueAsync(new BatchGetSecretValueRequest { SecretIdList = ["app/db", "app/missing", "other/private"] });
        var names = new List<string?>();
        await foreach (var secret in sm.ListAllSecretsAsync(new ListSecretsRequest { MaxResults = 1 }))
        {
            names.Add(secret.Name);
        }

        // Assert
        Assert.StartsWith("ASIA", session.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal("db-password-1", value.SecretString);
        Assert.Equal(new byte[] { 0, 1, 2 }, binary.SecretBinary);
        Assert.Equal("app/db", described.Name);
        Assert.Equal(["AWSCURRENT"], Assert.Single(versions.Versions).VersionStages!);
        Assert.Equal("db-password-1", Assert.Single(batch.SecretValues).SecretString);
        Assert.Equal(2, batch.Errors.Count);
        Assert.Contains(batch.Errors, e => e.SecretId == "other/private" && e.ErrorCode == "AccessDeniedException");
        Assert.Equal(3, names.Count);
    }

    [AwsEmulatorFact]
    public async Task CreateSession_WithoutIntermediates_IsUntrustedWithAHintToPassThem()
    {
        // Arrange
        using var signer = X509KeyFiles.LoadSigner(fixture.CertificatePath, fixture.KeyPath);
        var roles = new RolesAnywhereClient(new HttpClient(), TimeProvider.System, Options);

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() =>
            roles.CreateSessionAsync(new RolesAnywhereSessionRequest { TrustAnchorArn = TrustAnchorArn, ProfileArn = ProfileArn, RoleArn = RoleArn }, signer));

        // Assert
        Assert.Equal("AccessDeniedException", error.ErrorCode);
        Assert.Contains("Untrusted Signing Certificate", error.Message, StringComparison.Ordinal);
        Assert.Contains("--intermediates", error.Message, StringComparison.Ordinal);
    }

    [AwsEmulatorFact]
    public async Task SigningHelperProfile_InProcess_ReadsSecret()
    {
        // Arrange: the credentials file a user already has, pointing at the emulator with --endpoint.
        var credentialsFile = fixture.Directory.File("credentials", $"""
            [ra]
            credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate {fixture.CertificatePath} --private-key {fixture.KeyPath} --intermediates {fixture.ChainPath} --trust-anchor-arn {TrustAnchorArn} --profile-arn {ProfileArn} --role-arn {RoleArn} --session-duration 900 --endpoint {fixture.Emulator!.Address}
            """);
        var store = AwsProfileStore.Load(new AwsProfilePaths(fixture.Directory.File("config"), credentialsFile));
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(), TimeProvider.System, new ProfileCredentialsOptions { Client = new AwsClientOptions { Environment = _ => null } });

        // Act
        var provider = factory.Create("ra");
        var credentials = await provider.GetCredentialsAsync();
        var value = await SecretsManager(provider).GetSecretValueAsync(new GetSecretValueRequest { SecretId = "app/db" });

        // Assert
        Assert.True(credentials.Expiration <= DateTimeOffset.UtcNow.AddSeconds(905));
        Assert.Equal("db-password-1", value.SecretString);
    }

    [AwsEmulatorFact]
    public async Task StsAssumeRoleThenSecretsManager_UserKeys_ReadsSecret()
    {
        // Arrange
        var sts = new StsClient(new HttpClient(), new StaticCredentialsProvider(new AwsCredentials(UserKey, UserSecret)), TimeProvider.System, "us-east-1", options: Options);

        // Act
        var identity = await sts.GetCallerIdentityAsync();
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = RoleArn, RoleSessionName = "integration" });
        var value = await SecretsManager(new StaticCredentialsProvider(assumed.Credentials)).GetSecretValueAsync(new GetSecretValueRequest { SecretId = "app/db" });

        // Assert
        Assert.Equal(Account, identity.Account);
        Assert.Equal("db-password-1", value.SecretString);
    }

    [AwsEmulatorFact]
    public async Task SecretsManager_WrongSecretKey_IsRejectedAsBadSignature()
    {
        // Arrange
        var sm = SecretsManager(new StaticCredentialsProvider(new AwsCredentials(UserKey, "not-the-right-secret-key")));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => sm.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "app/db" }));

        // Assert
        Assert.Equal("InvalidSignatureException", error.ErrorCode);
        Assert.Contains("credentials were rejected", error.Message, StringComparison.Ordinal);
    }

    [AwsEmulatorFact]
    public async Task Imds_InstanceProfile_CredentialsReadSecret()
    {
        // Arrange
        var imds = new ImdsCredentialsClient(new HttpClient(), TimeProvider.System, fixture.Emulator!.Address);

        // Act
        var credentials = await imds.GetCredentialsAsync();
        var value = await SecretsManager(new StaticCredentialsProvider(credentials)).GetSecretValueAsync(new GetSecretValueRequest { SecretId = "app/db" });

        // Assert
        Assert.NotNull(credentials.SessionToken);
        Assert.Equal("db-password-1", value.SecretString);
    }

    [AwsEmulatorFact]
    public async Task PresignAsync_StsGetCallerIdentity_EmulatorAcceptsTheUrl()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fixture.Emulator!.Address, "?Action=GetCallerIdentity&Version=2011-06-15"));
        var signer = new SigV4Signer(TimeProvider.System);

        // Act
        var url = await signer.PresignAsync(request, new AwsCredentials(UserKey, UserSecret), "us-east-1", "sts", TimeSpan.FromMinutes(5));
        using var http = new HttpClient();
        using var response = await http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"<Account>{Account}</Account>", body, StringComparison.Ordinal);
    }

    [AwsEmulatorFact]
    public async Task CreateSession_TokenStyleSignerReturningRawEcdsa_ConvertedSignatureVerifies()
    {
        // Arrange: a stand-in for a PKCS#11 key: hashes, signs raw r||s (CKM_ECDSA), converts to DER as the contract says.
        using var fileSigner = X509KeyFiles.LoadSigner(fixture.CertificatePath, fixture.KeyPath);
        using var key = ECDsa.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(fixture.KeyPath));
        using var tokenSigner = new RawEcdsaTokenSigner(fileSigner.Certificate, key);
        var roles = new RolesAnywhereClient(new HttpClient(), TimeProvider.System, Options);

        // Act
        var session = await roles.CreateSessionAsync(
            new RolesAnywhereSessionRequest { TrustAnchorArn = TrustAnchorArn, ProfileArn = ProfileArn, RoleArn = RoleArn, Intermediates = X509KeyFiles.LoadCertificates(fixture.ChainPath) },
            tokenSigner);

        // Assert
        Assert.True(tokenSigner.Calls > 0);
        Assert.StartsWith("ASIA", session.Credentials.AccessKeyId, StringComparison.Ordinal);
    }

    private sealed class RawEcdsaTokenSigner(X509Certificate2 certificate, ECDsa key) : IX509Signer
    {
        public int Calls { get; private set; }

        public X509Certificate2 Certificate => certificate;

        public X509SigningAlgorithm Algorithm => X509SigningAlgorithm.Ecdsa;

        public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        {
            Calls++;
            var raw = key.SignHash(SHA256.HashData(data.Span), DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            return ValueTask.FromResult(X509SignatureFormat.EcdsaRawToDer(raw));
        }

        public void Dispose()
        {
        }
    }
}

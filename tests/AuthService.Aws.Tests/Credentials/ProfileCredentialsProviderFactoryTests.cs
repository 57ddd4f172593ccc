using System.Net;
using System.Security.Cryptography;
using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Aws.Protocol;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Tests.RolesAnywhere;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Credentials;

/// <summary>Profiles turned into providers; the aws_signing_helper command carried out in-process against a verifying handler.</summary>
public class ProfileCredentialsProviderFactoryTests
{
    private static readonly DateTimeOffset Now = new(2025, 12, 11, 15, 0, 0, TimeSpan.Zero);

    private const string SessionJson = """
        {"credentialSet":[{"credentials":{"accessKeyId":"ASIAINPROCESS","secretAccessKey":"in-process-secret","sessionToken":"in-process-token","expiration":"2025-12-11T16:00:00Z"},"sourceIdentity":"CN=rsa-leaf"}],"subjectArn":"s"}
        """;

    private static AwsProfileStore Store(string credentials) =>
        AwsProfileStore.FromSections([], AwsConfigFile.Parse(credentials, "credentials"), new AwsProfilePaths("config", "credentials"));

    [Fact]
    public async Task Create_SigningHelperWithPemFiles_RunsCreateSessionInProcess()
    {
        // Arrange
        using var directory = new TempDirectory();
        var (certificate, key) = TestCertificates.Rsa();
        var certificatePath = directory.File("client.crt", certificate.ExportCertificatePem());
        var keyPath = directory.File("client_private.key", key.ExportPkcs8PrivateKeyPem());
        key.Dispose();
        var store = Store($"""
            [ra]
            credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate "{certificatePath}" --private-key {keyPath} --trust-anchor-arn arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/t --profile-arn arn:aws:rolesanywhere:eu-west-1:123456789012:profile/p --role-arn arn:aws:iam::123456789012:role/r --session-duration 1800
            """);
        var handler = new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson));
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(handler), new FakeTimeProvider(Now),
            new ProfileCredentialsOptions { Client = new AwsClientOptions { Environment = _ => null } });

        // Act
        var provider = factory.Create("ra");
        var credentials = await provider.GetCredentialsAsync();
        var cached = await provider.GetCredentialsAsync();

        // Assert
        Assert.IsType<RefreshingCredentialsProvider>(provider);
        Assert.Equal("ASIAINPROCESS", credentials.AccessKeyId);
        Assert.Same(credentials, cached);
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("""{"durationSeconds":1800}""", sent.BodyText);
        Assert.Null(X509SignatureVerifier.Problem(sent, "eu-west-1"));
    }

    [Fact]
    public void Create_Pkcs11ProfileWithoutPkcs11Layer_FailsAtStartupSayingWhatToWire()
    {
        // Arrange
        var store = Store("[p]\ncredential_process = aws_signing_helper credential-process --certificate \"pkcs11:token=t;object=c?pin-value=1357\" --trust-anchor-arn a --profile-arn b --role-arn c\n");
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(), TimeProvider.System);

        // Act
        var error = Assert.Throws<NotSupportedException>(() => factory.Create("p"));

        // Assert
        Assert.Contains("Pkcs11SignerFactory", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("1357", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_Pkcs11ProfileWithSignerFactory_SignsWithTheTokenSigner()
    {
        // Arrange
        var (certificate, key) = TestCertificates.Ec(ECCurve.NamedCurves.nistP256);
        SigningHelperCommand? asked = null;
        var store = Store("[p]\ncredential_process = aws_signing_helper credential-process --certificate \"pkcs11:token=t;object=c\" --pkcs11-lib /usr/lib/softhsm/libsofthsm2.so --trust-anchor-arn arn:aws:rolesanywhere:eu-west-1:1:trust-anchor/t --profile-arn arn:aws:rolesanywhere:eu-west-1:1:profile/p --role-arn arn:aws:iam::1:role/r\n");
        var handler = new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson));
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(handler), new FakeTimeProvider(Now), new ProfileCredentialsOptions
        {
            Client = new AwsClientOptions { Environment = _ => null },
            Pkcs11SignerFactory = command =>
            {
                asked = command;
                return new FileX509Signer(certificate, key);
            },
        });

        // Act
        var credentials = await factory.Create("p").GetCredentialsAsync();

        // Assert
        Assert.Equal("/usr/lib/softhsm/libsofthsm2.so", asked!.Pkcs11Library);
        Assert.Equal("ASIAINPROCESS", credentials.AccessKeyId);
        Assert.StartsWith("AWS4-X509-ECDSA-SHA256 ", handler.Requests[0].Header("Authorization"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_StaticProfile_ReturnsKeys()
    {
        // Arrange
        var factory = new ProfileCredentialsProviderFactory(Store("[s]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n"), new HttpClient(), TimeProvider.System);

        // Act
        var credentials = await factory.Create("s").GetCredentialsAsync();

        // Assert
        Assert.Equal(new AwsCredentials("AKID", "SECRET"), credentials);
    }

    [Fact]
    public async Task Create_GenericCredentialProcess_RunsTheProcess()
    {
        // Arrange
        var store = Store("[g]\ncredential_process = /bin/sh -c 'printf \"{\\\"Version\\\":1,\\\"AccessKeyId\\\":\\\"PROC\\\",\\\"SecretAccessKey\\\":\\\"S\\\"}\"'\n");
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(), new FakeTimeProvider(Now));

        // Act
        var credentials = await factory.Create("g").GetCredentialsAsync();

        // Assert
        Assert.Equal("PROC", credentials.AccessKeyId);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Integration;

/// <summary>One AwsEmulator process for the class, seeded with a CA, an intermediate and an EC leaf certificate.</summary>
public sealed class AwsEmulatorFixture : IAsyncLifetime, IDisposable
{
    public const string Account = "123456789012";
    public const string TrustAnchorId = "6f0c3a52-1b2d-4e3f-8a9b-0c1d2e3f4a5b";
    public const string ProfileId = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    public const string UserKey = "AKIAAUTHSERVICETEST1";
    public const string UserSecret = "user-secret-key-for-the-emulator";

    private readonly TempDirectory _directory = new();

    public AwsEmulatorProcess? Emulator { get; private set; }

    public string CertificatePath { get; private set; } = "";

    public string KeyPath { get; private set; } = "";

    public string ChainPath { get; private set; } = "";

    public TempDirectory Directory => _directory;

    public static string TrustAnchorArn => $"arn:aws:rolesanywhere:us-east-1:{Account}:trust-anchor/{TrustAnchorId}";

    public static string ProfileArn => $"arn:aws:rolesanywhere:us-east-1:{Account}:profile/{ProfileId}";

    public static string RoleArn => $"arn:aws:iam::{Account}:role/secrets-reader";

    public async Task InitializeAsync()
    {
        if (AwsEmulatorProcess.DllPath is null)
        {
            return;
        }

        // A CA (the trust anchor), an intermediate, and an EC P-256 leaf issued by the intermediate.
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=AuthService test root", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(30));

        using var intermediateKey = RSA.Create(2048);
        var intermediateRequest = new CertificateRequest("CN=AuthService test intermediate", intermediateKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        intermediateRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        intermediateRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        intermediateRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(intermediateRequest.PublicKey, false));
        using var intermediatePublic = intermediateRequest.Create(ca, now.AddMinutes(-50), now.AddDays(20), [1, 2, 3, 4]);
        using var intermediate = intermediatePublic.CopyWithPrivateKey(intermediateKey);

        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var leafRequest = new CertificateRequest("CN=connector-host-1", leafKey, HashAlgorithmName.SHA256);
        leafRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // An EC leaf under an RSA issuer needs the issuer's signature generator.
        using var leaf = leafRequest.Create(intermediate.SubjectName, X509SignatureGenerator.CreateForRSA(intermediateKey, RSASignaturePadding.Pkcs1), now.AddMinutes(-40), now.AddDays(10), [5, 6, 7, 8, 9]);

        CertificatePath = _directory.File("client.crt", leaf.ExportCertificatePem());
        KeyPath = _directory.File("client_private.key", leafKey.ExportPkcs8PrivateKeyPem());
        ChainPath = _directory.File("chain.pem", intermediatePublic.ExportCertificatePem());
        var seed = new JsonObject
        {
            ["accountId"] = Account,
            ["region"] = "us-east-1",
            ["trustAnchors"] = new JsonArray(new JsonObject { ["id"] = TrustAnchorId, ["name"] = "test-ca", ["certificatePem"] = ca.ExportCertificatePem() }),
            ["profiles"] = new JsonArray(new JsonObject { ["id"] = ProfileId, ["name"] = "test-profile", ["roleArns"] = new JsonArray(RoleArn), ["durationSeconds"] = 3600 }),
            ["roles"] = new JsonArray(new JsonObject { ["name"] = "secrets-reader", ["readSecrets"] = new JsonArray("app/*") }),
            ["users"] = new JsonArray(new JsonObject
            {
                ["name"] = "deployer", ["accessKeyId"] = UserKey, ["secretAccessKey"] = UserSecret,
                ["readSecrets"] = new JsonArray(), ["assumableRoles"] = new JsonArray("secrets-reader"),
            }),
            ["secrets"] = new JsonArray(
                new JsonObject { ["name"] = "app/db", ["versions"] = new JsonArray(new JsonObject { ["stages"] = new JsonArray("AWSCURRENT"), ["secretString"] = "db-password-1" }) },
                new JsonObject { ["name"] = "app/api", ["versions"] = new JsonArray(new JsonObject { ["stages"] = new JsonArray("AWSCURRENT"), ["secretBinary"] = "AAEC" }) },
                new JsonObject { ["name"] = "other/private", ["versions"] = new JsonArray(new JsonObject { ["stages"] = new JsonArray("AWSCURRENT"), ["secretString"] = "x" }) }),
            ["imds"] = new JsonObject { ["roleName"] = "secrets-reader" },
        };
        Emulator = await AwsEmulatorProcess.StartAsync(_directory.File("seed.json", seed.ToJsonString()));
    }

    public async Task DisposeAsync()
    {
        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }
    }

    public void Dispose() => _directory.Dispose();
}

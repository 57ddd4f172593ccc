using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AwsEmulator.Tests.Support;
using static AwsEmulator.Tests.BotocoreSecretsManagerTests;

namespace AwsEmulator.Tests;

/// <summary>CreateSession signed by an independent Python client (python3-cryptography), then the session used by botocore.</summary>
public sealed class RolesAnywherePythonPeerTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly X509Certificate2 _root = TestPki.Root("Python Peer Root", Now, rsa: true);

    [PythonCryptographyFact]
    public async Task PythonSigner_RsaLeaf_201()
    {
        await using var emulator = await EmulatorFixture.StartAsync(TestSeeds.Model(_root.ExportCertificatePem()), realClock: true);
        using var key = RSA.Create(3072);
        using var leaf = TestPki.Leaf(_root, key, Now.AddDays(-1), Now.AddDays(1));

        var result = await CreateSessionAsync(emulator, leaf, key.ExportPkcs8PrivateKeyPem(), []);

        Assert.Equal(201, result["status"]!.GetValue<int>());
        Assert.StartsWith("ASIA", result["body"]!["credentialSet"]![0]!["credentials"]!["accessKeyId"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [PythonCryptographyFact]
    public async Task PythonSigner_EcdsaP384LeafWithIntermediate_201AndBotocoreReadsWithTheSession()
    {
        await using var emulator = await EmulatorFixture.StartAsync(TestSeeds.Model(_root.ExportCertificatePem()), realClock: true);
        using var intermediate = TestPki.Intermediate(_root, "Python Peer Issuing CA", Now);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        using var leaf = TestPki.Leaf(intermediate, key, Now.AddDays(-1), Now.AddDays(1));

        var result = await CreateSessionAsync(emulator, leaf, key.ExportPkcs8PrivateKeyPem(), [intermediate.ExportCertificatePem()]);
        var credentials = result["body"]!["credentialSet"]![0]!["credentials"]!;
        var session = new TestCredentials(credentials["accessKeyId"]!.GetValue<string>(), credentials["secretAccessKey"]!.GetValue<string>(), credentials["sessionToken"]!.GetValue<string>());
        var read = Botocore.UnavailableReason is null ? await RunClientAsync(emulator, session, Call("get_secret_value", new { SecretId = "app/db" })) : null;

        Assert.Equal(201, result["status"]!.GetValue<int>());
        if (read is not null)
        {
            Assert.NotNull(Ok(read[0])["SecretString"]);
        }
    }

    [PythonCryptographyFact]
    public async Task PythonSigner_LeafOfUnknownCa_403Untrusted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(TestSeeds.Model(_root.ExportCertificatePem()), realClock: true);
        using var otherRoot = TestPki.Root("Python Other Root", Now);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = TestPki.Leaf(otherRoot, key, Now.AddDays(-1), Now.AddDays(1));

        var result = await CreateSessionAsync(emulator, leaf, key.ExportPkcs8PrivateKeyPem(), []);

        Assert.Equal(403, result["status"]!.GetValue<int>());
        Assert.Equal("AccessDeniedException", result["error_type"]!.GetValue<string>());
        Assert.Equal("Untrusted Signing Certificate", result["body"]!["message"]!.GetValue<string>());
    }

    public void Dispose() => _root.Dispose();

    private static Task<System.Text.Json.Nodes.JsonObject> CreateSessionAsync(EmulatorFixture emulator, X509Certificate2 leaf, string keyPem, string[] chain) =>
        Botocore.RunScriptAsync("rolesanywhere_peer.py", new
        {
            endpoint = emulator.Server.HttpAddress.ToString(),
            region = TestSeeds.Region,
            trust_anchor_arn = TestSeeds.AnchorArn,
            profile_arn = TestSeeds.ProfileArn,
            role_arn = TestSeeds.RoleArn(TestSeeds.AppRole),
            certificate_pem = leaf.ExportCertificatePem(),
            private_key_pem = keyPem,
            chain_pems = chain,
            duration = 3600,
        });
}

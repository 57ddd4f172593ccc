using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AwsEmulator.Seed;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

/// <summary>The generated demo seed works end to end: its client certificate and key get a session that reads its secrets.</summary>
public sealed class DemoSeedTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "aws-emulator-demo-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task DemoSeed_ClientCertificateSession_ReadsDemoSecrets()
    {
        var model = SeedLoader.LoadFile(DemoSeed.EnsureWritten(_directory, TimeProvider.System));
        await using var emulator = await EmulatorFixture.StartAsync(model);
        using var key = RSA.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(_directory, "client_private.key")));
        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(_directory, "client.crt"))).CopyWithPrivateKey(key);
        var role = $"arn:aws:iam::{model.AccountId}:role/{DemoSeed.RoleName}";
        using var request = new CreateSessionRequest
        {
            Endpoint = emulator.Server.HttpAddress,
            Certificate = certificate,
            SignedAt = emulator.Time.GetUtcNow(),
            TrustAnchorArn = model.TrustAnchors[0].Arn,
            ProfileArn = model.Profiles[0].Arn,
            RoleArn = role,
        }.Build();

        var session = (await emulator.Client.SendAsync(request)).Body["credentialSet"]![0]!["credentials"]!;
        var credentials = new TestCredentials(session["accessKeyId"]!.GetValue<string>(), session["secretAccessKey"]!.GetValue<string>(), session["sessionToken"]!.GetValue<string>());
        var json = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "demo/database" }, credentials);
        var binary = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "demo/keystore" }, credentials);
        var previous = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "demo/api-token", VersionStage = "AWSPREVIOUS" }, credentials);

        Assert.Contains("\"username\":\"demo\"", json.Body["SecretString"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("AAECA/7/", binary.Body["SecretBinary"]!.GetValue<string>());
        Assert.Equal("token-v1", previous.Body["SecretString"]!.GetValue<string>());
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, true);
        }
    }
}

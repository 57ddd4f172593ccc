using System.Security.Cryptography.X509Certificates;
using AwsEmulator.Tests.Support;
using static AwsEmulator.Tests.BotocoreSecretsManagerTests;

namespace AwsEmulator.Tests;

/// <summary>HTTPS with the generated test CA: trusted by a client that trusts exactly that CA, by no one else.</summary>
public sealed class HttpsTests : IDisposable
{
    private readonly string _caPath = Path.Combine(Path.GetTempPath(), $"aws-emulator-ca-{Guid.NewGuid():N}.pem");

    [Fact]
    public async Task Https_ClientTrustingTestCa_ReadsSecret()
    {
        await using var emulator = await EmulatorFixture.StartAsync(caOutPath: _caPath);
        using var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(_caPath));
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            },
        };
        using var client = new AwsTestClient(emulator.Server.HttpsAddress!, emulator.Time, new HttpClient(handler, disposeHandler: false));

        var reply = await client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);

        Assert.Equal("https", emulator.Server.HttpsAddress!.Scheme);
        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task Https_ClientWithSystemTrustOnly_RefusesCertificate()
    {
        await using var emulator = await EmulatorFixture.StartAsync(caOutPath: _caPath);
        using var client = new AwsTestClient(emulator.Server.HttpsAddress!, emulator.Time);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader));
    }

    [BotocoreFact]
    public async Task Https_BotocoreWithCaBundle_ReadsSecret()
    {
        await using var emulator = await EmulatorFixture.StartAsync(caOutPath: _caPath, realClock: true);

        var results = await RunClientAsync(emulator.Server.HttpsAddress!.ToString(), EmulatorFixture.Reader,
            [Call("get_secret_value", new { SecretId = "app/db" })], _caPath);

        Assert.NotNull(Ok(results[0])["SecretString"]);
    }

    public void Dispose() => File.Delete(_caPath);
}

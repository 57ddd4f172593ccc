using System.Security.Cryptography;
using AwsEmulator.Hosting;
using AwsEmulator.Tests.Support;
using Microsoft.Extensions.Logging;

namespace AwsEmulator.Tests;

/// <summary>The emulator's own promise: no secret value, secret key or session token in any log line.</summary>
public class SecurityTests
{
    [Fact]
    public async Task Logs_AfterEveryKindOfCall_HoldNoSecretsKeysOrTokens()
    {
        var now = DateTimeOffset.UtcNow;
        using var root = TestPki.Root("Log Test CA", now);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var leaf = TestPki.Leaf(root, key, now.AddDays(-1), now.AddDays(1));
        var capture = new CapturingLoggerProvider();
        var time = new ManualTimeProvider(now);
        await using var server = await EmulatorServer.StartAsync(TestSeeds.Model(root.ExportCertificatePem()), time, logging: l =>
        {
            l.AddProvider(capture);
            l.SetMinimumLevel(LogLevel.Trace);
        });
        using var client = new AwsTestClient(server.HttpAddress, time);

        using var create = new CreateSessionRequest { Endpoint = server.HttpAddress, Certificate = leaf, SignedAt = now }.Build();
        var session = (await client.SendAsync(create)).Body["credentialSet"]![0]!["credentials"]!;
        var issued = new TestCredentials(session["accessKeyId"]!.GetValue<string>(), session["secretAccessKey"]!.GetValue<string>(), session["sessionToken"]!.GetValue<string>());
        var read = await client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, issued);
        await client.SecretsManagerAsync("GetSecretValue", new { SecretId = "other/key" }, issued);
        await client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "rotated-value-xyz" }, EmulatorFixture.Writer);
        await client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader with { SecretAccessKey = "wrong-wrong-wrong-wrong-wrong-wrong" });
        time.Advance(TimeSpan.FromHours(2));
        await client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, issued);

        var lines = string.Join('\n', capture.Lines);
        Assert.Equal(200, read.Status);
        Assert.Contains("CreateSession issued credentials", lines, StringComparison.Ordinal);
        Assert.Contains("ExpiredTokenException", lines, StringComparison.Ordinal);
        foreach (var secret in new[] { "p@ss", "old-password", "other-value", "rotated-value-xyz", issued.SecretAccessKey, issued.SessionToken!, TestSeeds.ReaderSecret, TestSeeds.WriterSecret })
        {
            Assert.DoesNotContain(secret, lines, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CredentialEntry_ToString_HidesSecretKeyAndToken()
    {
        var model = TestSeeds.Model();
        var store = new Identity.CredentialStore(model, TimeProvider.System);
        var entry = store.Issue(store.RoleSession(model.RolesByArn.Values.First(), "s"), DateTimeOffset.UtcNow.AddHours(1));

        var text = entry.ToString();

        Assert.Contains(entry.AccessKeyId, text, StringComparison.Ordinal);
        Assert.DoesNotContain(entry.SecretAccessKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain(entry.SessionToken!, text, StringComparison.Ordinal);
    }
}

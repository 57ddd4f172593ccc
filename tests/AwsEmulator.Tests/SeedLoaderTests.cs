using AwsEmulator.Seed;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

public class SeedLoaderTests
{
    [Fact]
    public void Resolve_TestSeed_MintsArnsAndVersions()
    {
        var model = TestSeeds.Model();

        var secret = model.Secrets.Single(s => s.Name == "app/db");
        Assert.StartsWith("arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-", secret.Arn, StringComparison.Ordinal);
        Assert.Equal(secret.Arn.Length, "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/db-".Length + 6);
        Assert.Equal("{\"user\":\"app\",\"password\":\"p@ss\"}", secret.Versions.Single(v => v.Stages.Contains("AWSCURRENT")).SecretString);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, model.Secrets.Single(s => s.Name == "app/blob").Versions[0].SecretBinary);
        Assert.Contains("arn:aws:iam::123456789012:role/app-reader", model.RolesByArn.Keys);
    }

    [Fact]
    public void Resolve_SameName_DerivesSameArn()
    {
        var first = TestSeeds.Model().Secrets[0].Arn;
        var second = TestSeeds.Model().Secrets[0].Arn;

        Assert.Equal(first, second);
    }

    [Fact]
    public void Resolve_ManyProblems_ReportsEveryOne()
    {
        var seed = TestSeeds.Document();
        seed.AccountId = "12";
        seed.Users[0].AccessKeyId = "bad";
        seed.Secrets.Add(new SeedSecret { Name = "dup", Versions = [new SeedSecretVersion { Stages = ["AWSCURRENT"], SecretString = "a", SecretBinary = "AA==" }] });
        seed.Secrets.Add(new SeedSecret { Name = "nocurrent", Versions = [new SeedSecretVersion { Stages = ["AWSPENDING"], SecretString = "a" }] });
        seed.TrustAnchors.Add(new SeedTrustAnchor { Id = "x", CertificatePem = "not a pem" });
        seed.Faults.Add(new SeedFault { Operation = "GetSecretValue", Kind = FaultKind.Error, Status = 200, Probability = 2 });

        var error = Assert.Throws<SeedException>(() => SeedLoader.Resolve(seed, "."));

        Assert.Contains(error.Errors, e => e.Contains("accountId", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("users[0].accessKeyId", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("exactly one of secretString", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("AWSCURRENT", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("trustAnchors[0]", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("probability", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("5xx", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnknownKey_IsRejected()
    {
        var error = Assert.Throws<SeedException>(() => SeedLoader.Parse("{\"secrets\":[],\"secretz\":[]}"));

        Assert.Contains("secretz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureWritten_DemoSeed_LoadsAndReusesFiles()
    {
        var directory = Path.Combine(Path.GetTempPath(), "aws-emulator-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            var path = DemoSeed.EnsureWritten(directory, TimeProvider.System);
            var firstCa = File.ReadAllText(Path.Combine(directory, "ca.pem"));

            var model = SeedLoader.LoadFile(path);
            DemoSeed.EnsureWritten(directory, TimeProvider.System);

            Assert.Single(model.TrustAnchors);
            Assert.Equal(3, model.Secrets.Count);
            Assert.True(File.Exists(Path.Combine(directory, "client.crt")));
            Assert.Contains("BEGIN PRIVATE KEY", File.ReadAllText(Path.Combine(directory, "client_private.key")), StringComparison.Ordinal);
            Assert.Equal(firstCa, File.ReadAllText(Path.Combine(directory, "ca.pem")));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public void LoadFile_Missing_SaysHowToFix()
    {
        var error = Assert.Throws<SeedException>(() => SeedLoader.LoadFile("/nonexistent/seed.json"));

        Assert.Contains("--seed", error.Message, StringComparison.Ordinal);
    }
}

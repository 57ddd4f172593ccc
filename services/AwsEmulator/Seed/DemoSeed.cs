using System.Security.Cryptography;
using System.Text.Json;
using AwsEmulator.Tls;

namespace AwsEmulator.Seed;

/// <summary>
/// A ready-to-use seed: a CA trust anchor with a Roles Anywhere client certificate and key (the files the Alation
/// procedure names, client.crt and client_private.key; ca_private.key to issue more), a profile and role, a static user, and string, JSON and
/// binary secrets. Written once into a folder, so a restarted emulator trusts the same certificate.
/// </summary>
internal static class DemoSeed
{
    public const string TrustAnchorId = "0b9a7f3e-7d2c-4c55-9a4e-6f1d2c3b4a50";
    public const string ProfileId = "5d1c9e8a-2f47-4b1e-8c3d-7a6b5c4d3e21";
    public const string RoleName = "demo-secrets-reader";
    public const string UserName = "demo-user";
    public const string AccessKeyId = "AKIADEMOEMULATOR0001";

    /// <summary>Writes the demo files into <paramref name="directory"/> unless a seed.json is there; returns the seed path.</summary>
    public static string EnsureWritten(string directory, TimeProvider time)
    {
        Directory.CreateDirectory(directory);
        var seedPath = Path.Combine(directory, "seed.json");
        if (File.Exists(seedPath))
        {
            return seedPath;
        }

        using var authority = TestCertificateAuthority.Create("AwsEmulator Demo Roles Anywhere CA", time);
        using var key = RSA.Create(2048);
        using var client = authority.IssueClientCertificate("CN=demo-connector-host", key, time, TimeSpan.FromDays(365));
        File.WriteAllText(Path.Combine(directory, "ca.pem"), authority.CertificatePem);
        // A throwaway CA's key, kept beside it (0600) so a demo can issue new client certificates to practise the
        // reference procedure's certificate and key rotation against the same trust anchor.
        WritePrivate(Path.Combine(directory, "ca_private.key"), authority.PrivateKeyPem);
        File.WriteAllText(Path.Combine(directory, "client.crt"), client.ExportCertificatePem());
        WritePrivate(Path.Combine(directory, "client_private.key"), key.ExportPkcs8PrivateKeyPem());

        var secretKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        var seed = Create(secretKey);
        WritePrivate(seedPath, JsonSerializer.Serialize(seed, SeedLoader.WriteOptions));
        return seedPath;
    }

    /// <summary>The demo seed document; the trust anchor points at ca.pem beside it.</summary>
    public static SeedDocument Create(string userSecretKey)
    {
        var seed = new SeedDocument();
        var roleArn = $"arn:aws:iam::{seed.AccountId}:role/{RoleName}";
        seed.TrustAnchors.Add(new SeedTrustAnchor { Id = TrustAnchorId, Name = "demo-ca", CertificateFile = "ca.pem" });
        seed.Profiles.Add(new SeedProfile { Id = ProfileId, Name = "demo-profile", RoleArns = [roleArn], DurationSeconds = 3600 });
        seed.Roles.Add(new SeedRole { Name = RoleName, ReadSecrets = ["demo/*"], WriteSecrets = [] });
        seed.Users.Add(new SeedUser
        {
            Name = UserName, AccessKeyId = AccessKeyId, SecretAccessKey = userSecretKey,
            ReadSecrets = ["*"], WriteSecrets = ["demo/*"], AssumableRoles = [RoleName],
        });
        seed.Secrets.Add(new SeedSecret
        {
            Name = "demo/database", Description = "Demo database login (JSON)", Tags = new() { ["env"] = "demo" },
            Versions = [new SeedSecretVersion { Stages = ["AWSCURRENT"], SecretJson = JsonSerializer.SerializeToElement(new { username = "demo", password = "demo-password" }) }],
        });
        seed.Secrets.Add(new SeedSecret
        {
            Name = "demo/api-token", Description = "Demo API token (string, two versions)",
            Versions =
            [
                new SeedSecretVersion { Stages = ["AWSPREVIOUS"], SecretString = "token-v1" },
                new SeedSecretVersion { Stages = ["AWSCURRENT"], SecretString = "token-v2" },
            ],
        });
        seed.Secrets.Add(new SeedSecret
        {
            Name = "demo/keystore", Description = "Demo binary secret",
            Versions = [new SeedSecretVersion { Stages = ["AWSCURRENT"], SecretBinary = Convert.ToBase64String([0, 1, 2, 3, 254, 255]) }],
        });
        seed.Imds = new SeedImds { RoleName = RoleName };
        return seed;
    }

    private static void WritePrivate(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}

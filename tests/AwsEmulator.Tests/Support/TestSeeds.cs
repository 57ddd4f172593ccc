using AwsEmulator.Seed;

namespace AwsEmulator.Tests.Support;

/// <summary>Seeds the tests share: a reader user, a writer user, a role per permission shape, secrets of each kind.</summary>
internal static class TestSeeds
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string ReaderKey = "AKIAREADER0000000001";
    public const string ReaderSecret = "reader-secret-key-0123456789abcdefghij";
    public const string WriterKey = "AKIAWRITER0000000001";
    public const string WriterSecret = "writer-secret-key-0123456789abcdefghij";
    public const string AppRole = "app-reader";
    public const string OtherRole = "other-reader";
    public const string ProfileId = "11111111-2222-3333-4444-555555555555";
    public const string AnchorId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";

    public static string RoleArn(string name) => $"arn:aws:iam::{Account}:role/{name}";

    public static string ProfileArn => $"arn:aws:rolesanywhere:{Region}:{Account}:profile/{ProfileId}";

    public static string AnchorArn => $"arn:aws:rolesanywhere:{Region}:{Account}:trust-anchor/{AnchorId}";

    public static SeedDocument Document(params string[] trustAnchorPems)
    {
        var seed = new SeedDocument { AccountId = Account, Region = Region };
        seed.Users.Add(new SeedUser { Name = "reader", AccessKeyId = ReaderKey, SecretAccessKey = ReaderSecret, ReadSecrets = ["app/*"], AssumableRoles = [AppRole] });
        seed.Users.Add(new SeedUser { Name = "writer", AccessKeyId = WriterKey, SecretAccessKey = WriterSecret, ReadSecrets = ["*"], WriteSecrets = ["*"], AssumableRoles = ["*"] });
        seed.Roles.Add(new SeedRole { Name = AppRole, ReadSecrets = ["app/*"] });
        seed.Roles.Add(new SeedRole { Name = OtherRole, ReadSecrets = ["other/*"] });
        seed.Secrets.Add(new SeedSecret
        {
            Name = "app/db", Description = "database", Tags = new() { ["team"] = "core" },
            Versions =
            [
                new SeedSecretVersion { VersionId = "00000000-0000-0000-0000-000000000001", Stages = ["AWSPREVIOUS"], SecretString = "old-password" },
                new SeedSecretVersion { VersionId = "00000000-0000-0000-0000-000000000002", Stages = ["AWSCURRENT"], SecretJson = System.Text.Json.JsonSerializer.SerializeToElement(new { user = "app", password = "p@ss" }) },
            ],
        });
        seed.Secrets.Add(new SeedSecret { Name = "app/blob", Versions = [new SeedSecretVersion { Stages = ["AWSCURRENT"], SecretBinary = "AAEC/w==" }] });
        seed.Secrets.Add(new SeedSecret { Name = "other/key", Versions = [new SeedSecretVersion { Stages = ["AWSCURRENT"], SecretString = "other-value" }] });
        foreach (var (pem, i) in trustAnchorPems.Select((p, i) => (p, i)))
        {
            seed.TrustAnchors.Add(new SeedTrustAnchor { Id = i == 0 ? AnchorId : Guid.NewGuid().ToString(), CertificatePem = pem });
        }

        seed.Profiles.Add(new SeedProfile { Id = ProfileId, RoleArns = [RoleArn(AppRole), RoleArn("missing-role")], DurationSeconds = 7200 });
        seed.Imds = new SeedImds { RoleName = AppRole };
        return seed;
    }

    public static EmulatorModel Model(params string[] trustAnchorPems) => SeedLoader.Resolve(Document(trustAnchorPems), AppContext.BaseDirectory);
}

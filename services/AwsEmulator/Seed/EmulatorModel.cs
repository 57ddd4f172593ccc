using System.Security.Cryptography.X509Certificates;

namespace AwsEmulator.Seed;

/// <summary>The validated seed, with every ARN minted.</summary>
internal sealed record EmulatorModel(
    string AccountId,
    string Region,
    IReadOnlyList<TrustAnchor> TrustAnchors,
    IReadOnlyList<ProfileDefinition> Profiles,
    IReadOnlyDictionary<string, RoleDefinition> RolesByArn,
    IReadOnlyList<UserDefinition> Users,
    IReadOnlyList<SecretDefinition> Secrets,
    string? ImdsRoleName,
    IReadOnlyList<SeedFault> Faults,
    int? FaultRandomSeed,
    bool IgnoreCertificateValidityTimes = false);

internal sealed record TrustAnchor(string Arn, string Region, bool Enabled, IReadOnlyList<X509Certificate2> Certificates);

internal sealed record ProfileDefinition(
    string Arn, string Region, IReadOnlyList<string> RoleArns, int DurationSeconds, bool AcceptRoleSessionName, bool Enabled);

internal sealed record RoleDefinition(
    string Name, string Arn, IReadOnlyList<string> ReadSecrets, IReadOnlyList<string> WriteSecrets, int MaxSessionDurationSeconds);

internal sealed record UserDefinition(
    string Name, string Arn, string AccessKeyId, string SecretAccessKey, IReadOnlyList<string> ReadSecrets,
    IReadOnlyList<string> WriteSecrets, IReadOnlyList<string> AssumableRoles);

internal sealed record SecretDefinition(
    string Name, string Arn, string? Description, IReadOnlyDictionary<string, string> Tags, DateTimeOffset CreatedDate,
    IReadOnlyList<SecretVersionDefinition> Versions);

internal sealed record SecretVersionDefinition(
    string VersionId, string? SecretString, byte[]? SecretBinary, IReadOnlyList<string> Stages, DateTimeOffset CreatedDate);

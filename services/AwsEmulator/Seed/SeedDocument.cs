using System.Text.Json;
using System.Text.Json.Serialization;

namespace AwsEmulator.Seed;

/// <summary>The seed file: everything the emulator knows at start. Field names are camelCase JSON.</summary>
internal sealed class SeedDocument
{
    /// <summary>The 12-digit account every ARN is minted in.</summary>
    public string AccountId { get; set; } = "123456789012";

    /// <summary>The region requests must be scoped to (SigV4 credential scope, Roles Anywhere ARNs).</summary>
    public string Region { get; set; } = "us-east-1";

    public List<SeedTrustAnchor> TrustAnchors { get; set; } = [];

    public List<SeedProfile> Profiles { get; set; } = [];

    public List<SeedRole> Roles { get; set; } = [];

    public List<SeedUser> Users { get; set; } = [];

    public List<SeedSecret> Secrets { get; set; } = [];

    public SeedImds? Imds { get; set; }

    public List<SeedFault> Faults { get; set; } = [];

    /// <summary>Skip certificate notBefore/notAfter checks in CreateSession: only for replaying recorded vectors.</summary>
    public bool IgnoreCertificateValidityTimes { get; set; }

    /// <summary>Seed of the random source that decides probabilistic faults, so a failing run can be replayed.</summary>
    public int? FaultRandomSeed { get; set; }
}

/// <summary>A Roles Anywhere trust anchor: a CA certificate (inline PEM or a file next to the seed).</summary>
internal sealed class SeedTrustAnchor
{
    /// <summary>The UUID at the end of the trust anchor ARN.</summary>
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    public string? CertificatePem { get; set; }

    /// <summary>A PEM file, relative to the seed file's folder.</summary>
    public string? CertificateFile { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The region of the anchor's ARN; defaults to the seed's region.</summary>
    public string? Region { get; set; }
}

/// <summary>A Roles Anywhere profile: the roles a session may assume and the session duration cap.</summary>
internal sealed class SeedProfile
{
    public string Id { get; set; } = "";

    public string? Name { get; set; }

    /// <summary>Role ARNs this profile lists; a CreateSession for any other role is refused.</summary>
    public List<string> RoleArns { get; set; } = [];

    /// <summary>Cap on the session duration, seconds (AWS default 3600).</summary>
    public int DurationSeconds { get; set; } = 3600;

    public bool AcceptRoleSessionName { get; set; }

    public bool Enabled { get; set; } = true;

    /// <summary>The region of the profile's ARN; defaults to the seed's region.</summary>
    public string? Region { get; set; }
}

/// <summary>An IAM role: which secrets its sessions may read and write.</summary>
internal sealed class SeedRole
{
    public string Name { get; set; } = "";

    /// <summary>Secret names or ARNs, with '*' and '?' wildcards, that GetSecretValue/DescribeSecret/BatchGet may read.</summary>
    public List<string> ReadSecrets { get; set; } = [];

    /// <summary>Secret patterns PutSecretValue and UpdateSecretVersionStage may change.</summary>
    public List<string> WriteSecrets { get; set; } = [];

    /// <summary>The role's maximum session duration, seconds (AWS: 3600..43200).</summary>
    public int MaxSessionDurationSeconds { get; set; } = 43200;
}

/// <summary>A static IAM user with a long-term AKIA access key.</summary>
internal sealed class SeedUser
{
    public string Name { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";

    public List<string> ReadSecrets { get; set; } = [];

    public List<string> WriteSecrets { get; set; } = [];

    /// <summary>Role names (wildcards allowed) this user may sts:AssumeRole.</summary>
    public List<string> AssumableRoles { get; set; } = [];
}

/// <summary>A secret and its versions.</summary>
internal sealed class SeedSecret
{
    public string Name { get; set; } = "";

    public string? Description { get; set; }

    /// <summary>The six characters AWS appends to the ARN; derived from the name when absent so ARNs are stable.</summary>
    public string? ArnSuffix { get; set; }

    public Dictionary<string, string> Tags { get; set; } = [];

    public DateTimeOffset? CreatedDate { get; set; }

    public List<SeedSecretVersion> Versions { get; set; } = [];
}

/// <summary>One version: exactly one of secretString, secretJson (stored as its compact text) or secretBinary (base64).</summary>
internal sealed class SeedSecretVersion
{
    public string? VersionId { get; set; }

    public List<string> Stages { get; set; } = [];

    public string? SecretString { get; set; }

    public JsonElement? SecretJson { get; set; }

    /// <summary>Standard base64.</summary>
    public string? SecretBinary { get; set; }

    public DateTimeOffset? CreatedDate { get; set; }
}

/// <summary>The IMDSv2 endpoint's instance profile role.</summary>
internal sealed class SeedImds
{
    public string RoleName { get; set; } = "";
}

/// <summary>One fault rule; also the admin endpoint's body.</summary>
internal sealed class SeedFault
{
    /// <summary>Operation name (GetSecretValue, CreateSession, AssumeRole, ImdsToken, ...) or "*".</summary>
    public string Operation { get; set; } = "*";

    /// <summary>latency, throttle, error, reset, shortLived.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
    public FaultKind Kind { get; set; }

    /// <summary>Chance per matching request, 0..1 (default 1).</summary>
    public double Probability { get; set; } = 1;

    /// <summary>How many matching requests it hits before it is spent; absent means unlimited.</summary>
    public int? Count { get; set; }

    /// <summary>Added delay for kind latency, milliseconds.</summary>
    public int LatencyMs { get; set; }

    /// <summary>HTTP status for kind error (500 or 503).</summary>
    public int Status { get; set; } = 500;

    /// <summary>Lifetime of the credentials a CreateSession issues, seconds, for kind shortLived.</summary>
    public int LifetimeSeconds { get; set; }
}

/// <summary>What a fault does.</summary>
internal enum FaultKind
{
    Latency,
    Throttle,
    Error,
    Reset,

    // Sessions shorter than AWS's 900 s minimum: lets a test outlive its credentials in seconds, not minutes.
    ShortLived,
}

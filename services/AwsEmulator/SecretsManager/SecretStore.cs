using AwsEmulator.Seed;
using AwsEmulator.Wire;

namespace AwsEmulator.SecretsManager;

/// <summary>A secret's mutable state.</summary>
internal sealed class SecretRecord(string name, string arn, string? description, IReadOnlyDictionary<string, string> tags, DateTimeOffset created)
{
    public string Name { get; } = name;

    public string Arn { get; } = arn;

    public string? Description { get; } = description;

    public IReadOnlyDictionary<string, string> Tags { get; } = tags;

    public DateTimeOffset CreatedDate { get; } = created;

    public DateTimeOffset LastChangedDate { get; set; } = created;

    public DateTimeOffset? LastAccessedDate { get; set; }

    public List<VersionRecord> Versions { get; } = [];

    public VersionRecord? ByStage(string stage) => Versions.Find(v => v.Stages.Contains(stage));

    public VersionRecord? ById(string versionId) => Versions.Find(v => v.VersionId == versionId);
}

/// <summary>One version of a secret and the staging labels attached to it.</summary>
internal sealed class VersionRecord(string versionId, string? text, byte[]? binary, IEnumerable<string> stages, DateTimeOffset created)
{
    public string VersionId { get; } = versionId;

    public string? SecretString { get; } = text;

    public byte[]? SecretBinary { get; } = binary;

    public HashSet<string> Stages { get; } = new(stages, StringComparer.Ordinal);

    public DateTimeOffset CreatedDate { get; } = created;

    public DateTimeOffset? LastAccessedDate { get; set; }
}

/// <summary>
/// The secrets, with Secrets Manager's staging-label rules (one label on one version; AWSCURRENT moving leaves
/// AWSPREVIOUS on the old version). One lock: operations are tiny, and tests need a consistent view.
/// </summary>
internal sealed class SecretStore
{
    public const string Current = "AWSCURRENT";
    public const string Previous = "AWSPREVIOUS";
    public const string NotFoundMessage = "Secrets Manager can't find the specified secret.";

    private readonly List<SecretRecord> _secrets = [];
    private readonly TimeProvider _time;

    public SecretStore(EmulatorModel model, TimeProvider time)
    {
        _time = time;
        foreach (var secret in model.Secrets)
        {
            var record = new SecretRecord(secret.Name, secret.Arn, secret.Description, secret.Tags, secret.CreatedDate);
            foreach (var version in secret.Versions)
            {
                record.Versions.Add(new VersionRecord(version.VersionId, version.SecretString, version.SecretBinary, version.Stages, version.CreatedDate));
                record.LastChangedDate = Max(record.LastChangedDate, version.CreatedDate);
            }

            _secrets.Add(record);
        }
    }

    /// <summary>The lock every reader and writer holds while it touches a record.</summary>
    public Lock Sync { get; } = new();

    /// <summary>Finds by name, full ARN, or partial ARN (the ARN without its six-character suffix). Hold <see cref="Sync"/>.</summary>
    public SecretRecord? Find(string secretId) =>
        _secrets.Find(s => s.Name == secretId || s.Arn == secretId)
        ?? (secretId.StartsWith("arn:", StringComparison.Ordinal) ? _secrets.Find(s => s.Arn.Length == secretId.Length + 7 && s.Arn.StartsWith(secretId + "-", StringComparison.Ordinal)) : null);

    /// <summary>All secrets, in creation order. Hold <see cref="Sync"/>.</summary>
    public IReadOnlyList<SecretRecord> All => _secrets;

    /// <summary>The version GetSecretValue returns; AWSCURRENT when neither id nor stage is given.</summary>
    public static VersionRecord SelectVersion(SecretRecord secret, string? versionId, string? stage)
    {
        if (versionId is not null)
        {
            var byId = secret.ById(versionId)
                ?? throw new AwsErrorException(new AwsError("ResourceNotFoundException", 400,
                    $"Secrets Manager can't find the specified secret value for VersionId: {versionId}"));
            if (stage is not null && !byId.Stages.Contains(stage))
            {
                throw new AwsErrorException(new AwsError("InvalidRequestException", 400,
                    "You provided a VersionStage that is not associated to the provided VersionId."));
            }

            return byId;
        }

        var label = stage ?? Current;
        return secret.ByStage(label)
            ?? throw new AwsErrorException(new AwsError("ResourceNotFoundException", 400,
                $"Secrets Manager can't find the specified secret value for staging label: {label}"));
    }

    /// <summary>Records the access like AWS does: the date, truncated to the day. Hold <see cref="Sync"/>.</summary>
    public void MarkAccessed(SecretRecord secret, VersionRecord version)
    {
        var today = new DateTimeOffset(_time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        secret.LastAccessedDate = today;
        version.LastAccessedDate = today;
    }

    /// <summary>PutSecretValue: a new version, by default AWSCURRENT. Idempotent for a repeated token and value. Hold <see cref="Sync"/>.</summary>
    public VersionRecord PutValue(SecretRecord secret, string? token, string? text, byte[]? binary, IReadOnlyList<string>? stages)
    {
        var versionId = token ?? Guid.NewGuid().ToString();
        var existing = secret.ById(versionId);
        if (existing is not null)
        {
            var same = existing.SecretString == text && (existing.SecretBinary ?? []).AsSpan().SequenceEqual(binary ?? []);
            return same
                ? existing
                : throw new AwsErrorException(new AwsError("ResourceExistsException", 400,
                    "You can't modify an existing version, you can only create new versions."));
        }

        var labels = stages is { Count: > 0 } ? stages : [Current];
        var version = new VersionRecord(versionId, text, binary, [], _time.GetUtcNow());
        secret.Versions.Add(version);
        foreach (var label in labels)
        {
            MoveStage(secret, label, version);
        }

        secret.LastChangedDate = _time.GetUtcNow();
        return version;
    }

    /// <summary>UpdateSecretVersionStage with AWS's rule that a label already on a version must be named in RemoveFromVersionId. Hold <see cref="Sync"/>.</summary>
    public void UpdateStage(SecretRecord secret, string stage, string? moveTo, string? removeFrom)
    {
        var holder = secret.ByStage(stage);
        if (removeFrom is not null && holder?.VersionId != removeFrom)
        {
            throw new AwsErrorException(new AwsError("InvalidParameterException", 400,
                $"The staging label {stage} is not attached to version {removeFrom}."));
        }

        if (moveTo is null)
        {
            if (removeFrom is null)
            {
                throw new AwsErrorException(new AwsError("InvalidParameterException", 400,
                    "You must specify MoveToVersionId or RemoveFromVersionId."));
            }

            if (stage == Current)
            {
                throw new AwsErrorException(new AwsError("InvalidParameterException", 400,
                    "You can't remove the staging label AWSCURRENT; move it to another version instead."));
            }

            holder!.Stages.Remove(stage);
        }
        else
        {
            var target = secret.ById(moveTo)
                ?? throw new AwsErrorException(new AwsError("ResourceNotFoundException", 400,
                    $"Secrets Manager can't find the specified secret value for VersionId: {moveTo}"));
            if (holder is not null && holder != target && removeFrom is null)
            {
                throw new AwsErrorException(new AwsError("InvalidParameterException", 400,
                    $"The parameter RemoveFromVersionId can't be empty. Staging label {stage} is currently attached to version {holder.VersionId}, so you must explicitly reference that version in RemoveFromVersionId."));
            }

            MoveStage(secret, stage, target);
        }

        secret.LastChangedDate = _time.GetUtcNow();
    }

    private static void MoveStage(SecretRecord secret, string stage, VersionRecord target)
    {
        var holder = secret.ByStage(stage);
        if (holder == target)
        {
            return;
        }

        holder?.Stages.Remove(stage);
        target.Stages.Add(stage);
        if (stage == Current && holder is not null)
        {
            // Secrets Manager keeps the version it replaced reachable as AWSPREVIOUS.
            secret.ByStage(Previous)?.Stages.Remove(Previous);
            holder.Stages.Add(Previous);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

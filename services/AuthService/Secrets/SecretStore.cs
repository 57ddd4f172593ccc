namespace AuthService.Secrets;

/// <summary>
/// What the secret cache needs from a secret store (AWS Secrets Manager through one configuration's
/// credentials). Kept narrow so the cache is tested without AWS and knows nothing of its wire protocol.
/// </summary>
public interface ISecretStore
{
    /// <summary>One version of a secret: by version id, by stage, or AWSCURRENT when both are null.</summary>
    Task<SecretRecord> GetSecretValueAsync(string secretId, string? versionId, string? versionStage, CancellationToken cancellationToken);

    /// <summary>The secret's identity and which version carries which stage; never its value.</summary>
    Task<SecretVersions> DescribeSecretAsync(string secretId, CancellationToken cancellationToken);

    /// <summary>Throws <see cref="SecretStoreException"/> (CredentialsUnavailable) when no credentials can be obtained now.</summary>
    Task CheckCredentialsAsync(CancellationToken cancellationToken);
}

/// <summary>A secret value as read from the store. Its ToString never shows the value.</summary>
public sealed record SecretRecord(
    string Arn,
    string Name,
    string VersionId,
    IReadOnlyList<string> VersionStages,
    DateTimeOffset? CreatedDate,
    string? SecretString,
    byte[]? SecretBinary)
{
    /// <summary>Approximate bytes held in memory, for the cache's byte bound.</summary>
    public long SizeBytes => 256 + (SecretString?.Length * 2L ?? 0) + (SecretBinary?.LongLength ?? 0) + ((Arn.Length + Name.Length + VersionId.Length) * 2L);

    public override string ToString() => $"SecretRecord {{ Arn = {Arn}, VersionId = {VersionId}, Value = (redacted) }}";
}

/// <summary>A secret's identity and its versions' staging labels (from DescribeSecret).</summary>
public sealed record SecretVersions(string Arn, string Name, IReadOnlyDictionary<string, IReadOnlyList<string>> VersionIdsToStages)
{
    /// <summary>The version that carries <paramref name="stage"/>, or null.</summary>
    public string? VersionWithStage(string stage) =>
        VersionIdsToStages.FirstOrDefault(v => v.Value.Contains(stage, StringComparer.Ordinal)).Key;
}

/// <summary>Why a secret could not be served. Mapped to a gRPC status in one place (SecretsGrpcService).</summary>
public enum SecretFailureKind
{
    /// <summary>No such secret, version or stage.</summary>
    NotFound,

    /// <summary>The AWS role (or a resource or session policy) does not allow reading it.</summary>
    AccessDenied,

    /// <summary>KMS could not decrypt the secret with the caller's permissions.</summary>
    DecryptionFailure,

    /// <summary>The request is malformed (bad id, conflicting version selectors, json_key on a non-JSON secret).</summary>
    InvalidRequest,

    /// <summary>The store is throttling; retry later.</summary>
    Throttled,

    /// <summary>The store failed (5xx) or could not be reached.</summary>
    Unavailable,

    /// <summary>The store did not answer in time.</summary>
    Timeout,

    /// <summary>No AWS credentials: token missing, PIN wrong, profile broken, Roles Anywhere refused.</summary>
    CredentialsUnavailable,
}

/// <summary>A failure of the secret store or of a secret request. Its message says what to do and never holds a secret.</summary>
public sealed class SecretStoreException : Exception
{
    public SecretStoreException(SecretFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public SecretStoreException()
        : this(SecretFailureKind.Unavailable, "The secret store failed.")
    {
    }

    public SecretStoreException(string message)
        : this(SecretFailureKind.Unavailable, message)
    {
    }

    public SecretStoreException(string message, Exception innerException)
        : this(SecretFailureKind.Unavailable, message, innerException)
    {
    }

    public SecretFailureKind Kind { get; }

    /// <summary>
    /// True for failures a stale value may paper over: throttling, 5xx, network, timeouts, and credentials that
    /// cannot be obtained now (Roles Anywhere down, token unreadable, PIN changed): those say nothing about the
    /// secret, so dropping its last good value would turn a credentials outage into a secrets outage.
    /// </summary>
    public bool IsTransient => Kind is SecretFailureKind.Throttled or SecretFailureKind.Unavailable or SecretFailureKind.Timeout
        or SecretFailureKind.CredentialsUnavailable;

    /// <summary>True for answers that are cached negatively (with backoff): not found and denied.</summary>
    public bool IsNegativelyCached => Kind is SecretFailureKind.NotFound or SecretFailureKind.AccessDenied;
}

using System.Text.Json.Serialization;

namespace AuthService.Aws.SecretsManager;

// Shapes of the Secrets Manager 2017-10-17 model (botocore service-2.json), members named as on the wire.
// Types that carry a secret value redact it in ToString().

/// <summary>GetSecretValue input.</summary>
public sealed record GetSecretValueRequest
{
    /// <summary>The ARN or name of the secret.</summary>
    public required string SecretId { get; init; }

    /// <summary>A version id (32..64 characters); with neither this nor <see cref="VersionStage"/>, AWSCURRENT.</summary>
    public string? VersionId { get; init; }

    /// <summary>A staging label, e.g. AWSCURRENT or AWSPREVIOUS.</summary>
    public string? VersionStage { get; init; }
}

/// <summary>A secret value (GetSecretValue output, and an entry of BatchGetSecretValue).</summary>
public sealed record SecretValue
{
    /// <summary>The secret's ARN.</summary>
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    /// <summary>The secret's name.</summary>
    public string? Name { get; init; }

    /// <summary>The version id.</summary>
    public string? VersionId { get; init; }

    /// <summary>The value, when stored as binary (base64 on the wire).</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1819:Properties should not return arrays", Justification = "Wire shape; the value is handed on as is.")]
    public byte[]? SecretBinary { get; init; }

    /// <summary>The value, when stored as text.</summary>
    public string? SecretString { get; init; }

    /// <summary>The staging labels of this version.</summary>
    public IReadOnlyList<string>? VersionStages { get; init; }

    /// <summary>When this version was created.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>Describes the secret without its value.</summary>
    public override string ToString() =>
        $"SecretValue {{ Name = {Name}, VersionId = {VersionId}, Value = (redacted {(SecretString is not null ? "string" : SecretBinary is not null ? "binary" : "none")}) }}";
}

/// <summary>A filter of ListSecrets and BatchGetSecretValue.</summary>
public sealed record SecretsFilter
{
    /// <summary>description, name, tag-key, tag-value, primary-region, owning-service or all.</summary>
    public required string Key { get; init; }

    /// <summary>Values to match; a leading '!' negates one.</summary>
    public required IReadOnlyList<string> Values { get; init; }
}

/// <summary>BatchGetSecretValue input: <see cref="SecretIdList"/> or <see cref="Filters"/>, not both.</summary>
public sealed record BatchGetSecretValueRequest
{
    /// <summary>The secrets to fetch, by ARN or name (up to 20).</summary>
    public IReadOnlyList<string>? SecretIdList { get; init; }

    /// <summary>Filters choosing the secrets.</summary>
    public IReadOnlyList<SecretsFilter>? Filters { get; init; }

    /// <summary>Page size 1..20, only together with <see cref="Filters"/>.</summary>
    public int? MaxResults { get; init; }

    /// <summary>The token of the next page.</summary>
    public string? NextToken { get; init; }
}

/// <summary>A per-secret failure inside a successful BatchGetSecretValue response.</summary>
public sealed record SecretError
{
    /// <summary>The secret that failed.</summary>
    public string? SecretId { get; init; }

    /// <summary>e.g. ResourceNotFoundException, AccessDeniedException, DecryptionFailure.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>AWS's message.</summary>
    public string? Message { get; init; }
}

/// <summary>BatchGetSecretValue output.</summary>
public sealed record BatchGetSecretValueResponse
{
    /// <summary>The values fetched.</summary>
    public IReadOnlyList<SecretValue> SecretValues { get; init; } = [];

    /// <summary>Secrets that could not be fetched (HTTP 200 nonetheless).</summary>
    public IReadOnlyList<SecretError> Errors { get; init; } = [];

    /// <summary>The token of the next page, if any.</summary>
    public string? NextToken { get; init; }
}

/// <summary>A tag.</summary>
public sealed record SecretTag
{
    /// <summary>The tag key.</summary>
    public string? Key { get; init; }

    /// <summary>The tag value.</summary>
    public string? Value { get; init; }
}

/// <summary>Metadata of a secret (DescribeSecret output; ListSecrets entries).</summary>
public sealed record SecretMetadata
{
    /// <summary>The secret's ARN.</summary>
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    /// <summary>The name.</summary>
    public string? Name { get; init; }

    /// <summary>The description.</summary>
    public string? Description { get; init; }

    /// <summary>The KMS key encrypting the secret.</summary>
    public string? KmsKeyId { get; init; }

    /// <summary>Whether rotation is on.</summary>
    public bool? RotationEnabled { get; init; }

    /// <summary>The rotation Lambda ARN.</summary>
    [JsonPropertyName("RotationLambdaARN")]
    public string? RotationLambdaArn { get; init; }

    /// <summary>Last rotation.</summary>
    public DateTimeOffset? LastRotatedDate { get; init; }

    /// <summary>Last change.</summary>
    public DateTimeOffset? LastChangedDate { get; init; }

    /// <summary>Last access (day granularity).</summary>
    public DateTimeOffset? LastAccessedDate { get; init; }

    /// <summary>Scheduled deletion date.</summary>
    public DateTimeOffset? DeletedDate { get; init; }

    /// <summary>Next rotation.</summary>
    public DateTimeOffset? NextRotationDate { get; init; }

    /// <summary>Creation date.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>The primary region.</summary>
    public string? PrimaryRegion { get; init; }

    /// <summary>The service that created the secret, if any.</summary>
    public string? OwningService { get; init; }

    /// <summary>Tags.</summary>
    public IReadOnlyList<SecretTag>? Tags { get; init; }

    /// <summary>Versions and their staging labels (DescribeSecret).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? VersionIdsToStages { get; init; }

    /// <summary>Versions and their staging labels (ListSecrets).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? SecretVersionsToStages { get; init; }
}

/// <summary>ListSecrets input.</summary>
public sealed record ListSecretsRequest
{
    /// <summary>Include secrets scheduled for deletion.</summary>
    public bool? IncludePlannedDeletion { get; init; }

    /// <summary>Page size 1..100.</summary>
    public int? MaxResults { get; init; }

    /// <summary>The token of the next page.</summary>
    public string? NextToken { get; init; }

    /// <summary>Filters.</summary>
    public IReadOnlyList<SecretsFilter>? Filters { get; init; }

    /// <summary>asc or desc.</summary>
    public string? SortOrder { get; init; }

    /// <summary>created-date, last-accessed-date, last-changed-date or name.</summary>
    public string? SortBy { get; init; }
}

/// <summary>ListSecrets output (one page).</summary>
public sealed record ListSecretsResponse
{
    /// <summary>The secrets of this page (may be empty even when more pages follow).</summary>
    public IReadOnlyList<SecretMetadata> SecretList { get; init; } = [];

    /// <summary>The token of the next page; absent on the last page.</summary>
    public string? NextToken { get; init; }
}

/// <summary>ListSecretVersionIds input.</summary>
public sealed record ListSecretVersionIdsRequest
{
    /// <summary>The ARN or name of the secret.</summary>
    public required string SecretId { get; init; }

    /// <summary>Page size 1..100.</summary>
    public int? MaxResults { get; init; }

    /// <summary>The token of the next page.</summary>
    public string? NextToken { get; init; }

    /// <summary>Include versions without staging labels.</summary>
    public bool? IncludeDeprecated { get; init; }
}

/// <summary>A version of a secret (ListSecretVersionIds entry).</summary>
public sealed record SecretVersionEntry
{
    /// <summary>The version id.</summary>
    public string? VersionId { get; init; }

    /// <summary>Its staging labels.</summary>
    public IReadOnlyList<string>? VersionStages { get; init; }

    /// <summary>Last access (day granularity).</summary>
    public DateTimeOffset? LastAccessedDate { get; init; }

    /// <summary>Creation date.</summary>
    public DateTimeOffset? CreatedDate { get; init; }

    /// <summary>The KMS keys that encrypt it.</summary>
    public IReadOnlyList<string>? KmsKeyIds { get; init; }
}

/// <summary>ListSecretVersionIds output (one page).</summary>
public sealed record ListSecretVersionIdsResponse
{
    /// <summary>The versions of this page.</summary>
    public IReadOnlyList<SecretVersionEntry> Versions { get; init; } = [];

    /// <summary>The token of the next page; absent on the last page.</summary>
    public string? NextToken { get; init; }

    /// <summary>The secret's ARN.</summary>
    [JsonPropertyName("ARN")]
    public string? Arn { get; init; }

    /// <summary>The secret's name.</summary>
    public string? Name { get; init; }
}

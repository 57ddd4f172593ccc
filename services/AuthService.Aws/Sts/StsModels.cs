using AuthService.Aws.Credentials;

namespace AuthService.Aws.Sts;

/// <summary>AssumeRole input (STS 2011-06-15).</summary>
public sealed record AssumeRoleRequest
{
    /// <summary>The role to assume.</summary>
    public required string RoleArn { get; init; }

    /// <summary>The session name, 2..64 characters of [\w+=,.@-].</summary>
    public required string RoleSessionName { get; init; }

    /// <summary>Session duration in seconds (900..43200, at most the role's maximum); STS defaults to 3600.</summary>
    public int? DurationSeconds { get; init; }

    /// <summary>The external id the role's trust policy may require.</summary>
    public string? ExternalId { get; init; }

    /// <summary>An inline session policy (JSON).</summary>
    public string? Policy { get; init; }

    /// <summary>The source identity to set.</summary>
    public string? SourceIdentity { get; init; }
}

/// <summary>AssumeRole output.</summary>
/// <param name="Credentials">The temporary credentials (redacted in ToString).</param>
/// <param name="AssumedRoleArn">The assumed-role user ARN.</param>
/// <param name="AssumedRoleId">The assumed-role id.</param>
/// <param name="SourceIdentity">The source identity, if any.</param>
public sealed record AssumeRoleResult(AwsCredentials Credentials, string? AssumedRoleArn, string? AssumedRoleId, string? SourceIdentity);

/// <summary>GetCallerIdentity output.</summary>
/// <param name="Account">The account id.</param>
/// <param name="Arn">The caller's ARN.</param>
/// <param name="UserId">The caller's unique id.</param>
public sealed record CallerIdentity(string Account, string Arn, string UserId);

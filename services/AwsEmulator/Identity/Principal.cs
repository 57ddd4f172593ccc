namespace AwsEmulator.Identity;

/// <summary>Who a request acts as: an IAM user (long-term or GetSessionToken keys) or a role session. Arn is
/// arn:aws:iam::ACCOUNT:user/NAME or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION; UserId is what GetCallerIdentity
/// calls UserId (AIDA... or AROA...:session); RoleArn is set for role sessions only.</summary>
internal sealed record Principal(
    string Arn,
    string UserId,
    string Account,
    string? RoleArn,
    string? UserName,
    IReadOnlyList<string> ReadSecrets,
    IReadOnlyList<string> WriteSecrets,
    IReadOnlyList<string> AssumableRoles)
{
    public bool IsRoleSession => RoleArn is not null;
}

/// <summary>A key the emulator accepts: long-term (no token) or temporary (ASIA..., with token and expiry).</summary>
internal sealed record CredentialEntry(
    string AccessKeyId,
    string SecretAccessKey,
    string? SessionToken,
    DateTimeOffset? Expiration,
    Principal Principal)
{
    /// <summary>Never print the secret half or the token.</summary>
    public override string ToString() => $"CredentialEntry {{ AccessKeyId = {AccessKeyId}, Principal = {Principal.Arn} }}";
}

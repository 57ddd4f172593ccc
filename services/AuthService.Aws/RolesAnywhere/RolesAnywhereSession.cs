using AuthService.Aws.Credentials;

namespace AuthService.Aws.RolesAnywhere;

/// <summary>The result of CreateSession: temporary credentials and who they belong to.</summary>
/// <param name="Credentials">The temporary credentials (redacted in ToString).</param>
/// <param name="AssumedRoleArn">The assumed-role user ARN.</param>
/// <param name="SubjectArn">The Roles Anywhere subject ARN.</param>
/// <param name="SourceIdentity">The source identity (the certificate subject, e.g. <c>CN=...</c>).</param>
public sealed record RolesAnywhereSession(AwsCredentials Credentials, string? AssumedRoleArn, string? SubjectArn, string? SourceIdentity);

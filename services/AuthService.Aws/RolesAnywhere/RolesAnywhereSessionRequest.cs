using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace AuthService.Aws.RolesAnywhere;

/// <summary>The inputs of an IAM Roles Anywhere CreateSession call (the flags of <c>aws_signing_helper credential-process</c>).</summary>
public sealed partial record RolesAnywhereSessionRequest
{
    /// <summary>The trust anchor ARN (<c>--trust-anchor-arn</c>); its region is the default signing region.</summary>
    public required string TrustAnchorArn { get; init; }

    /// <summary>The profile ARN (<c>--profile-arn</c>); must be in the trust anchor's region.</summary>
    public required string ProfileArn { get; init; }

    /// <summary>The role to assume (<c>--role-arn</c>).</summary>
    public required string RoleArn { get; init; }

    /// <summary>Session duration in seconds (<c>--session-duration</c>), 900..43200, default 3600.</summary>
    public int DurationSeconds { get; init; } = 3600;

    /// <summary>The role session name (<c>--role-session-name</c>); sent only when set, and the profile must allow it.</summary>
    public string? RoleSessionName { get; init; }

    /// <summary>The signing region (<c>--region</c>); defaults to the trust anchor's region.</summary>
    public string? Region { get; init; }

    /// <summary>An explicit endpoint (<c>--endpoint</c>), winning over every other source.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The profile's <c>endpoint_url</c> (used after the environment overrides).</summary>
    public string? ProfileEndpointUrl { get; init; }

    /// <summary>Use the FIPS endpoint (<c>rolesanywhere-fips.{region}...</c>).</summary>
    public bool UseFips { get; init; }

    /// <summary>Intermediate CA certificates (<c>--intermediates</c>), sent as <c>X-Amz-X509-Chain</c> when there are any.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; init; } = [];

    /// <summary>The signing region: <see cref="Region"/>, else the trust anchor ARN's region.</summary>
    public string SigningRegion => Region is { Length: > 0 } region ? region : RolesAnywhereArn.TryParse(TrustAnchorArn)?.Region ?? string.Empty;

    /// <summary>Every problem with the request, each saying how to fix it (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        var trustAnchor = RolesAnywhereArn.TryParse(TrustAnchorArn);
        var profile = RolesAnywhereArn.TryParse(ProfileArn);
        if (trustAnchor is not { Service: "rolesanywhere" } || !trustAnchor.Resource.StartsWith("trust-anchor/", StringComparison.Ordinal))
        {
            errors.Add($"--trust-anchor-arn '{TrustAnchorArn}' is not a trust anchor ARN: expected arn:aws:rolesanywhere:<region>:<account>:trust-anchor/<id>.");
        }

        if (profile is not { Service: "rolesanywhere" } || !profile.Resource.StartsWith("profile/", StringComparison.Ordinal))
        {
            errors.Add($"--profile-arn '{ProfileArn}' is not a Roles Anywhere profile ARN: expected arn:aws:rolesanywhere:<region>:<account>:profile/<id>.");
        }

        if (RolesAnywhereArn.TryParse(RoleArn) is not { Service: "iam" } role || !role.Resource.StartsWith("role/", StringComparison.Ordinal))
        {
            errors.Add($"--role-arn '{RoleArn}' is not an IAM role ARN: expected arn:aws:iam::<account>:role/<name>.");
        }

        if (trustAnchor is not null && profile is not null && trustAnchor.Region != profile.Region)
        {
            errors.Add($"The trust anchor is in {trustAnchor.Region} but the profile is in {profile.Region}: Roles Anywhere needs both in the same region.");
        }

        if (DurationSeconds is < 900 or > 43200)
        {
            errors.Add($"--session-duration {DurationSeconds} is out of range: use 900..43200 seconds (and at most the profile's duration).");
        }

        if (RoleSessionName is not null && (RoleSessionName.Length is < 2 or > 64 || !SessionNamePattern().IsMatch(RoleSessionName)))
        {
            errors.Add($"--role-session-name '{RoleSessionName}' is invalid: use 2..64 characters from letters, digits and +=,.@-_.");
        }

        if (string.IsNullOrEmpty(SigningRegion))
        {
            errors.Add("No region: the trust anchor ARN has none, so pass --region.");
        }

        return errors;
    }

    [GeneratedRegex(@"^[\w+=,.@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex SessionNamePattern();
}

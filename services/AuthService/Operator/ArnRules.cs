using System.Text.RegularExpressions;

namespace AuthService.Operator;

/// <summary>
/// The ARN shapes of a Roles Anywhere profile (AWS IAM Roles Anywhere API reference and the IAM ARN format):
/// arn:PARTITION:rolesanywhere:REGION:ACCOUNT:trust-anchor/UUID, ...:profile/UUID, arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
/// </summary>
internal static partial class ArnRules
{
    public sealed record Parsed(string Partition, string Region, string Account);

    [GeneratedRegex(@"^arn:(?<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z])\:rolesanywhere:(?<region>[a-z]{2}(-[a-z]+)+-\d+):(?<account>\d{12}):(?<kind>trust-anchor|profile)/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex RolesAnywhere();

    [GeneratedRegex(@"^arn:(?<partition>aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]):iam::(?<account>\d{12}):role/(?<path>([\w+=,.@-]+/)*)(?<name>[\w+=,.@-]{1,64})$", RegexOptions.CultureInvariant)]
    private static partial Regex Role();

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+)+-\d+$", RegexOptions.CultureInvariant)]
    private static partial Regex Region();

    public static bool IsRegion(string? region) => region is not null && Region().IsMatch(region);

    /// <summary>Every problem with the three ARNs and the region, each with the expected shape.</summary>
    public static IReadOnlyList<string> Problems(string? trustAnchorArn, string? profileArn, string? roleArn, string? region)
    {
        var problems = new List<string>();
        Parsed? anchor = RolesAnywhereArn(trustAnchorArn, "trust-anchor", "--trust-anchor-arn", problems);
        Parsed? profile = RolesAnywhereArn(profileArn, "profile", "--profile-arn", problems);
        Parsed? role = null;
        if (string.IsNullOrEmpty(roleArn))
        {
            problems.Add("--role-arn is missing (arn:aws:iam::ACCOUNT:role/NAME)");
        }
        else if (Role().Match(roleArn) is { Success: true } m)
        {
            role = new Parsed(m.Groups["partition"].Value, "", m.Groups["account"].Value);
        }
        else
        {
            problems.Add($"role ARN '{roleArn}' is not arn:aws:iam::ACCOUNT:role/NAME (12-digit account, name of letters, digits and +=,.@_-)");
        }

        if (anchor is not null && profile is not null && anchor.Region != profile.Region)
        {
            problems.Add($"the trust anchor is in {anchor.Region} but the profile in {profile.Region}: both must be in the same region");
        }

        if (region is not null && !IsRegion(region))
        {
            problems.Add($"region '{region}' is not an AWS region like us-east-1");
        }
        else if (region is not null && (anchor ?? profile) is { } ra && ra.Region != region)
        {
            problems.Add($"the Roles Anywhere ARNs are in {ra.Region} but the region is {region}: Roles Anywhere is called in the ARNs' region");
        }

        var partitions = new[] { anchor, profile, role }.OfType<Parsed>().Select(p => p.Partition).Distinct().ToList();
        if (partitions.Count > 1)
        {
            problems.Add($"the ARNs are in different partitions ({string.Join(", ", partitions)})");
        }

        return problems;
    }

    /// <summary>The Roles Anywhere region of a trust anchor or profile ARN, or null.</summary>
    public static string? RegionOf(string? arn) => arn is not null && RolesAnywhere().Match(arn) is { Success: true } m ? m.Groups["region"].Value : null;

    private static Parsed? RolesAnywhereArn(string? arn, string kind, string option, List<string> problems)
    {
        if (string.IsNullOrEmpty(arn))
        {
            problems.Add($"{option} is missing (arn:aws:rolesanywhere:REGION:ACCOUNT:{kind}/UUID)");
            return null;
        }

        Match m = RolesAnywhere().Match(arn);
        if (!m.Success || m.Groups["kind"].Value != kind)
        {
            problems.Add($"{kind} ARN '{arn}' is not arn:aws:rolesanywhere:REGION:ACCOUNT:{kind}/UUID (lower-case UUID, 12-digit account)");
            return null;
        }

        return new Parsed(m.Groups["partition"].Value, m.Groups["region"].Value, m.Groups["account"].Value);
    }
}

namespace AuthService.Aws.RolesAnywhere;

/// <summary>The parts of an ARN this client needs: <c>arn:partition:service:region:account:resource</c>.</summary>
/// <param name="Partition">e.g. <c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>.</param>
/// <param name="Service">e.g. <c>rolesanywhere</c>, <c>iam</c>.</param>
/// <param name="Region">The region (empty for global services such as IAM).</param>
/// <param name="Account">The account id.</param>
/// <param name="Resource">The resource, e.g. <c>trust-anchor/uuid</c>.</param>
public sealed record RolesAnywhereArn(string Partition, string Service, string Region, string Account, string Resource)
{
    /// <summary>Parses <paramref name="arn"/>, or returns null when it is not an ARN.</summary>
    public static RolesAnywhereArn? TryParse(string? arn)
    {
        var parts = arn?.Split(':', 6);
        return parts is { Length: 6 } && parts[0] == "arn" && parts[1].Length > 0 && parts[2].Length > 0 && parts[5].Length > 0
            ? new RolesAnywhereArn(parts[1], parts[2], parts[3], parts[4], parts[5])
            : null;
    }
}

using System.Text.RegularExpressions;

namespace AuthService.Aws.Protocol;

/// <summary>
/// Endpoint resolution as the AWS SDKs do it: an explicit endpoint, then <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, then
/// <c>AWS_ENDPOINT_URL</c>, then the profile's <c>endpoint_url</c>, then <c>https://{service}[-fips].{region}.{partition suffix}</c>.
/// </summary>
public static partial class AwsEndpoints
{
    /// <summary>The DNS suffix of the partition <paramref name="region"/> belongs to.</summary>
    public static string DnsSuffix(string region)
    {
        ArgumentNullException.ThrowIfNull(region);
        return region switch
        {
            _ when region.StartsWith("cn-", StringComparison.Ordinal) => "amazonaws.com.cn",
            _ when region.StartsWith("us-isob-", StringComparison.Ordinal) => "sc2s.sgov.gov",
            _ when region.StartsWith("us-isof-", StringComparison.Ordinal) => "csp.hci.ic.gov",
            _ when region.StartsWith("us-iso-", StringComparison.Ordinal) => "c2s.ic.gov",
            _ when region.StartsWith("eu-isoe-", StringComparison.Ordinal) => "cloud.adc-e.uk",
            _ => "amazonaws.com", // aws and aws-us-gov
        };
    }

    /// <summary>Resolves the endpoint of a service.</summary>
    /// <param name="endpointPrefix">The host prefix, e.g. <c>rolesanywhere</c> or <c>secretsmanager</c>.</param>
    /// <param name="environmentServiceId">The service id of the environment override, e.g. <c>ROLESANYWHERE</c>, <c>SECRETS_MANAGER</c>.</param>
    /// <param name="region">The region, e.g. <c>eu-west-1</c>.</param>
    /// <param name="useFips">Use the FIPS endpoint (<c>{service}-fips.{region}...</c>); ignored when an override applies.</param>
    /// <param name="explicitEndpoint">An endpoint given in code or on a command line (<c>--endpoint</c>).</param>
    /// <param name="profileEndpointUrl">The profile's <c>endpoint_url</c>.</param>
    /// <param name="environment">Reads an environment variable.</param>
    public static Uri Resolve(
        string endpointPrefix, string environmentServiceId, string region, bool useFips, Uri? explicitEndpoint,
        string? profileEndpointUrl, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (explicitEndpoint is not null)
        {
            return RequireAbsolute(explicitEndpoint.OriginalString, "the explicit endpoint");
        }

        var ignoreConfigured = string.Equals(environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ignoreConfigured)
        {
            var serviceVariable = "AWS_ENDPOINT_URL_" + environmentServiceId;
            if (environment(serviceVariable) is { Length: > 0 } serviceEndpoint)
            {
                return RequireAbsolute(serviceEndpoint, serviceVariable);
            }

            if (environment("AWS_ENDPOINT_URL") is { Length: > 0 } globalEndpoint)
            {
                return RequireAbsolute(globalEndpoint, "AWS_ENDPOINT_URL");
            }

            if (!string.IsNullOrWhiteSpace(profileEndpointUrl))
            {
                return RequireAbsolute(profileEndpointUrl, "the profile's endpoint_url");
            }
        }

        RequireRegion(region);
        return new Uri($"https://{endpointPrefix}{(useFips ? "-fips" : string.Empty)}.{region}.{DnsSuffix(region)}/");
    }

    /// <summary>Throws unless <paramref name="region"/> looks like an AWS region (it becomes part of a host name).</summary>
    public static void RequireRegion(string? region)
    {
        if (string.IsNullOrEmpty(region) || !RegionPattern().IsMatch(region))
        {
            throw new ArgumentException(
                $"'{region}' is not an AWS region: set one like 'us-east-1' (--region, AWS_REGION or the profile's region).", nameof(region));
        }
    }

    private static Uri RequireAbsolute(string value, string source)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return uri;
        }

        throw new ArgumentException($"The endpoint from {source} ('{value}') is not an absolute http(s) URL: write it like 'https://host:port'.");
    }

    [GeneratedRegex("^[a-z]{2,}(-[a-z0-9]+)+$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}

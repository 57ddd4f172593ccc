using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using AuthService.Aws.Credentials;
using AuthService.Aws.Protocol;
using AuthService.Aws.Signing;

namespace AuthService.Aws.Sts;

/// <summary>
/// AWS STS over its awsQuery protocol (form-encoded POST, XML answers): GetCallerIdentity, AssumeRole,
/// GetSessionToken. Written here rather than taken from AWSSDK.SecurityToken so it shares this project's signer,
/// credential providers, retry mode and error messages (and pulls no AWSSDK.Core runtime in).
/// </summary>
public sealed class StsClient
{
    /// <summary>The signing name and endpoint prefix.</summary>
    public const string ServiceName = "sts";

    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    private readonly AwsHttpSender _sender;
    private readonly SigV4Signer _signer;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly string _region;

    /// <summary>Creates the client for the regional endpoint of <paramref name="region"/> (or an override).</summary>
    public StsClient(
        HttpClient httpClient, IAwsCredentialsProvider credentials, TimeProvider timeProvider, string region, Uri? endpoint = null,
        string? profileEndpointUrl = null, bool useFips = false, AwsClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        options ??= AwsClientOptions.Default;
        AwsEndpoints.RequireRegion(region);
        _credentials = credentials;
        _region = region;
        _sender = new AwsHttpSender(httpClient, timeProvider, options.Retry);
        _signer = new SigV4Signer(timeProvider);
        Endpoint = AwsEndpoints.Resolve(ServiceName, "STS", region, useFips, endpoint, profileEndpointUrl, options.Environment);
    }

    /// <summary>The endpoint requests go to.</summary>
    public Uri Endpoint { get; }

    /// <summary>The retry machinery (internal so tests can observe back-off without waiting).</summary>
    internal AwsHttpSender Sender => _sender;

    /// <summary>GetCallerIdentity: who the credentials belong to (needs no permission: a cheap credentials check).</summary>
    public async Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken cancellationToken = default)
    {
        var result = await CallAsync("GetCallerIdentity", [], cancellationToken).ConfigureAwait(false);
        return new CallerIdentity(Text(result, "Account") ?? "", Text(result, "Arn") ?? "", Text(result, "UserId") ?? "");
    }

    /// <summary>AssumeRole: temporary credentials of another role.</summary>
    public async Task<AssumeRoleResult> AssumeRoleAsync(AssumeRoleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new List<KeyValuePair<string, string>> { new("RoleArn", request.RoleArn), new("RoleSessionName", request.RoleSessionName) };
        Add(parameters, "DurationSeconds", request.DurationSeconds?.ToString(CultureInfo.InvariantCulture));
        Add(parameters, "ExternalId", request.ExternalId);
        Add(parameters, "Policy", request.Policy);
        Add(parameters, "SourceIdentity", request.SourceIdentity);
        var result = await CallAsync("AssumeRole", parameters, cancellationToken).ConfigureAwait(false);
        var user = result.Element(Ns + "AssumedRoleUser");
        return new AssumeRoleResult(ParseCredentials(result), user is null ? null : Text(user, "Arn"), user is null ? null : Text(user, "AssumedRoleId"), Text(result, "SourceIdentity"));
    }

    /// <summary>GetSessionToken: temporary credentials of the caller itself (with MFA when given).</summary>
    public async Task<AwsCredentials> GetSessionTokenAsync(int? durationSeconds = null, string? serialNumber = null, string? tokenCode = null, CancellationToken cancellationToken = default)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        Add(parameters, "DurationSeconds", durationSeconds?.ToString(CultureInfo.InvariantCulture));
        Add(parameters, "SerialNumber", serialNumber);
        Add(parameters, "TokenCode", tokenCode);
        return ParseCredentials(await CallAsync("GetSessionToken", parameters, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Turns an awsQuery XML error response into an exception whose message says what to check.</summary>
    public static AwsServiceException ToError(AwsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? code = null;
        string? message = null;
        string? requestId = null;
        try
        {
            var root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root;
            var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            requestId = root?.Elements().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (XmlException)
        {
            // Not XML: the status code is all there is.
        }

        code = string.IsNullOrEmpty(code) ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) : code;
        return new AwsServiceException(ServiceName, code, message, response.StatusCode, requestId ?? response.RequestId, Hint(code));
    }

    private static string? Hint(string code) => code switch
    {
        "AccessDenied" => "The source credentials may not call sts:AssumeRole on this role, or the role's trust policy does not trust them (check its Principal, conditions and ExternalId).",
        "ExpiredToken" or "ExpiredTokenException" => "The source credentials expired: check their source and this machine's clock.",
        "InvalidClientTokenId" or "SignatureDoesNotMatch" => "The source credentials were rejected: check the access key id and secret key (and the clock).",
        "RegionDisabledException" => "STS is not activated in this region for the account: activate it in IAM account settings or use another region.",
        "MalformedPolicyDocument" or "PackedPolicyTooLarge" => "Check the session policy.",
        "ValidationError" => "Check the role ARN, session name (2..64 characters) and duration (900..43200 s, at most the role's maximum).",
        _ => null,
    };

    private async Task<XElement> CallAsync(string action, List<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var body = Encoding.UTF8.GetBytes(string.Join('&',
            new[] { new KeyValuePair<string, string>("Action", action), new("Version", "2011-06-15") }.Concat(parameters)
                .Select(p => SigV4.UriEncode(p.Key) + "=" + SigV4.UriEncode(p.Value))));
        var response = await _sender.SendAsync(
            ServiceName,
            async token =>
            {
                var credentials = await _credentials.GetCredentialsAsync(token).ConfigureAwait(false);
                var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded; charset=utf-8");
                await _signer.SignAsync(message, credentials, _region, ServiceName, cancellationToken: token).ConfigureAwait(false);
                return message;
            },
            ToError,
            cancellationToken).ConfigureAwait(false);

        try
        {
            var root = XDocument.Parse(Encoding.UTF8.GetString(response.Body)).Root;
            return root?.Element(Ns + action + "Result") ?? throw new XmlException($"no {action}Result element");
        }
        catch (XmlException e)
        {
            // The body can hold credentials: name the problem, never quote it.
            throw new AwsServiceException($"sts {action} returned HTTP {(int)response.StatusCode} with a body that is not a {action} response ({e.Message}). Check that the endpoint override points at STS.");
        }
    }

    private static AwsCredentials ParseCredentials(XElement result)
    {
        var credentials = result.Element(Ns + "Credentials") ?? throw new AwsServiceException("STS returned no Credentials element: check that the endpoint override points at STS.");
        var expiration = Text(credentials, "Expiration");
        return new AwsCredentials(
            Text(credentials, "AccessKeyId") ?? throw new AwsServiceException("STS returned credentials without an AccessKeyId."),
            Text(credentials, "SecretAccessKey") ?? throw new AwsServiceException("STS returned credentials without a SecretAccessKey."),
            Text(credentials, "SessionToken"),
            expiration is null ? null : DateTimeOffset.Parse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
    }

    private static string? Text(XElement parent, string name) => parent.Element(Ns + name)?.Value;

    private static void Add(List<KeyValuePair<string, string>> parameters, string name, string? value)
    {
        if (value is not null)
        {
            parameters.Add(new(name, value));
        }
    }
}

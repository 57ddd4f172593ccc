using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AuthService.Aws.Credentials;
using AuthService.Aws.Protocol;
using AuthService.Aws.Signing;
using AuthService.Aws.Signing.X509;

namespace AuthService.Aws.RolesAnywhere;

/// <summary>
/// IAM Roles Anywhere <c>CreateSession</c>: exchanges an X.509 certificate and a signature made with its key
/// (SigV4-X509) for temporary AWS credentials.
/// </summary>
public sealed class RolesAnywhereClient
{
    /// <summary>The signing name and endpoint prefix.</summary>
    public const string ServiceName = "rolesanywhere";

    private readonly AwsHttpSender _sender;
    private readonly SigV4X509Signer _signer;
    private readonly AwsClientOptions _options;

    /// <summary>Creates the client. <paramref name="httpClient"/>'s handler is where tests and proxies plug in.</summary>
    public RolesAnywhereClient(HttpClient httpClient, TimeProvider timeProvider, AwsClientOptions? options = null)
    {
        _options = options ?? AwsClientOptions.Default;
        _sender = new AwsHttpSender(httpClient, timeProvider, _options.Retry);
        _signer = new SigV4X509Signer(timeProvider);
    }

    /// <summary>The retry machinery (internal so tests can observe back-off without waiting).</summary>
    internal AwsHttpSender Sender => _sender;

    /// <summary>Resolves the endpoint CreateSession goes to for <paramref name="request"/>.</summary>
    public Uri ResolveEndpoint(RolesAnywhereSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return AwsEndpoints.Resolve(ServiceName, "ROLESANYWHERE", request.SigningRegion, request.UseFips, request.Endpoint, request.ProfileEndpointUrl, _options.Environment);
    }

    /// <summary>Calls CreateSession, signing every attempt afresh with <paramref name="signer"/>.</summary>
    /// <exception cref="ArgumentException">The request is invalid (every problem is listed).</exception>
    /// <exception cref="AwsServiceException">Roles Anywhere refused; the message says what to check.</exception>
    /// <exception cref="AwsTransportException">No answer from the endpoint.</exception>
    public async Task<RolesAnywhereSession> CreateSessionAsync(RolesAnywhereSessionRequest request, IX509Signer signer, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signer);
        var errors = request.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Roles Anywhere request: " + string.Join(" ", errors), nameof(request));
        }

        var uri = SessionsUri(ResolveEndpoint(request), request);
        var body = Body(request);
        var region = request.SigningRegion;

        var response = await _sender.SendAsync(
            ServiceName,
            async token =>
            {
                var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                await _signer.SignAsync(message, signer, request.Intermediates, region, ServiceName, token).ConfigureAwait(false);
                return message;
            },
            ToError,
            cancellationToken).ConfigureAwait(false);

        return ParseSession(response);
    }

    /// <summary>Turns an error response into an exception whose message says what to check.</summary>
    public static AwsServiceException ToError(AwsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (code, message) = AwsJsonError.Parse(response);
        return new AwsServiceException(ServiceName, code, message, response.StatusCode, response.RequestId, Hint(code, message));
    }

    private static string? Hint(string code, string? message) => code switch
    {
        // The message is matched whatever the code: a proxy may strip the error type.
        _ when message?.Contains("Untrusted Signing Certificate", StringComparison.OrdinalIgnoreCase) == true =>
            "The certificate does not chain to the trust anchor's CA: pass the issuing intermediate CA certificates with --intermediates, " +
            "check that the trust anchor holds the CA that issued them, and that the certificate is neither expired nor revoked.",
        "AccessDeniedException" when message?.Contains("signature", StringComparison.OrdinalIgnoreCase) == true =>
            "The signature did not verify: check that the private key belongs to the certificate and that this machine's clock is right.",
        "AccessDeniedException" =>
            "Check the role's trust policy (principal rolesanywhere.amazonaws.com and its conditions on the certificate), that the profile lists the role, and that trust anchor and profile are enabled.",
        "ResourceNotFoundException" =>
            "Check the trust anchor and profile ARNs, and that the request went to their region.",
        "ValidationException" =>
            "Check --session-duration (900..43200 s, at most the profile's duration) and --role-session-name (the profile must accept role session names).",
        _ => null,
    };

    private static Uri SessionsUri(Uri endpoint, RolesAnywhereSessionRequest request)
    {
        var query = $"profileArn={SigV4.UriEncode(request.ProfileArn)}&roleArn={SigV4.UriEncode(request.RoleArn)}&trustAnchorArn={SigV4.UriEncode(request.TrustAnchorArn)}";
        var builder = new UriBuilder(endpoint) { Path = endpoint.AbsolutePath.TrimEnd('/') + "/sessions", Query = query };
        return builder.Uri;
    }

    private static byte[] Body(RolesAnywhereSessionRequest request)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("durationSeconds", request.DurationSeconds);
            if (request.RoleSessionName is not null)
            {
                writer.WriteString("roleSessionName", request.RoleSessionName);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static RolesAnywhereSession ParseSession(AwsResponse response)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Body);
            var root = document.RootElement;
            if (!root.TryGetProperty("credentialSet", out var set) || set.ValueKind != JsonValueKind.Array || set.GetArrayLength() == 0)
            {
                throw new AwsServiceException(ServiceName, "EmptyCredentialSet", "CreateSession returned no credentials", response.StatusCode, response.RequestId,
                    "Retry later; if it persists, check the profile and role configuration in Roles Anywhere.");
            }

            var first = set[0];
            var credentials = first.GetProperty("credentials");
            var expiration = DateTimeOffset.Parse(credentials.GetProperty("expiration").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
            return new RolesAnywhereSession(
                new AwsCredentials(
                    credentials.GetProperty("accessKeyId").GetString()!,
                    credentials.GetProperty("secretAccessKey").GetString()!,
                    credentials.GetProperty("sessionToken").GetString()!,
                    expiration),
                first.TryGetProperty("assumedRoleUser", out var user) && user.TryGetProperty("arn", out var arn) ? arn.GetString() : null,
                root.TryGetProperty("subjectArn", out var subject) ? subject.GetString() : null,
                first.TryGetProperty("sourceIdentity", out var source) ? source.GetString() : null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
        {
            // The body holds credentials: name the problem, never quote it.
            throw new AwsServiceException(
                $"rolesanywhere returned HTTP {(int)response.StatusCode} with a body that is not a CreateSession response ({e.GetType().Name}). " +
                "Check that the endpoint override points at Roles Anywhere.");
        }
    }
}

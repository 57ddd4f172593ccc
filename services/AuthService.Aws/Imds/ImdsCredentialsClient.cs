using System.Globalization;
using System.Net;
using System.Text.Json;
using AuthService.Aws.Credentials;

namespace AuthService.Aws.Imds;

/// <summary>
/// EC2 instance profile credentials through IMDSv2: <c>PUT /latest/api/token</c> for a session token, then the role
/// name and the role's credentials with that token. IMDSv1 is never used (no token-less fallback), so a
/// request forwarded through a misconfigured proxy cannot read credentials.
/// </summary>
public sealed class ImdsCredentialsClient
{
    private const string TokenTtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const string CredentialsPath = "latest/meta-data/iam/security-credentials/";

    private readonly HttpClient _httpClient;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _tokenTtl;
    private readonly TimeSpan _timeout;
    private readonly Lock _lock = new();
    private (string Value, DateTimeOffset Expires)? _token;

    /// <summary>Creates the client.</summary>
    /// <param name="httpClient">The HTTP client (tests inject a handler).</param>
    /// <param name="timeProvider">The clock (token expiry, timeouts).</param>
    /// <param name="endpoint">The IMDS base URL; default <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> or <c>http://169.254.169.254/</c>.</param>
    /// <param name="tokenTtl">The session token lifetime asked for (1 s..6 h; default 6 h).</param>
    /// <param name="timeout">Per request (default 2 s: IMDS is local, and off EC2 nothing answers).</param>
    public ImdsCredentialsClient(HttpClient httpClient, TimeProvider timeProvider, Uri? endpoint = null, TimeSpan? tokenTtl = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _httpClient = httpClient;
        _timeProvider = timeProvider;
        Endpoint = endpoint ?? new Uri("http://169.254.169.254/");
        _tokenTtl = tokenTtl ?? TimeSpan.FromSeconds(21600);
        if (_tokenTtl < TimeSpan.FromSeconds(1) || _tokenTtl > TimeSpan.FromSeconds(21600))
        {
            throw new ArgumentOutOfRangeException(nameof(tokenTtl), _tokenTtl, "The IMDSv2 token TTL must be 1..21600 seconds.");
        }

        _timeout = timeout ?? TimeSpan.FromSeconds(2);
    }

    /// <summary>The IMDS base URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>The endpoint from <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c>, else null (the default address).</summary>
    public static Uri? EndpointFromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("AWS_EC2_METADATA_SERVICE_ENDPOINT") is { Length: > 0 } value && Uri.TryCreate(value.TrimEnd('/') + "/", UriKind.Absolute, out var uri) ? uri : null;
    }

    /// <summary>Fetches the instance profile's current credentials.</summary>
    /// <exception cref="CredentialProcessException">IMDS is unreachable, refuses IMDSv2, has no role, or answers an error document.</exception>
    public async Task<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await TokenAsync(cancellationToken).ConfigureAwait(false);
            var (roleStatus, roleBody) = await GetAsync(CredentialsPath, token, cancellationToken).ConfigureAwait(false);
            if (roleStatus == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // The token expired or IMDS restarted: get a new one, once.
                ForgetToken();
                continue;
            }

            if (roleStatus == HttpStatusCode.NotFound)
            {
                throw new CredentialProcessException("This EC2 instance has no instance profile (IMDS lists no role): attach an IAM role to the instance.");
            }

            Require(roleStatus, "the instance profile role name");
            var role = roleBody.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault()
                ?? throw new CredentialProcessException("IMDS lists no instance profile role: attach an IAM role to the instance.");

            var (status, body) = await GetAsync(CredentialsPath + Uri.EscapeDataString(role), token, cancellationToken).ConfigureAwait(false);
            if (status == HttpStatusCode.Unauthorized && attempt == 0)
            {
                ForgetToken();
                continue;
            }

            Require(status, $"the credentials of role '{role}'");
            return Parse(body, role);
        }
    }

    private static AwsCredentials Parse(string body, string role)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            if (Field("Code") is { } code && code != "Success")
            {
                throw new CredentialProcessException($"IMDS answered code '{code}' for role '{role}': {Field("Message")} Check the instance profile.");
            }

            var accessKeyId = Field("AccessKeyId");
            var secret = Field("SecretAccessKey");
            var token = Field("Token");
            var expiration = Field("Expiration");
            if (accessKeyId is null || secret is null || token is null || expiration is null)
            {
                throw new CredentialProcessException($"IMDS returned an incomplete credentials document for role '{role}' (AccessKeyId, SecretAccessKey, Token and Expiration are required).");
            }

            return new AwsCredentials(accessKeyId, secret, token,
                DateTimeOffset.Parse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            // The body holds credentials: name the problem, never quote it.
            throw new CredentialProcessException($"IMDS returned a credentials document for role '{role}' that cannot be read ({e.GetType().Name}).", e);
        }
    }

    private async Task<string> TokenAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            // Renew a minute early so a token never expires between here and the request.
            if (_token is { } cached && _timeProvider.GetUtcNow() < cached.Expires - TimeSpan.FromMinutes(1))
            {
                return cached.Value;
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(Endpoint, "latest/api/token"));
        request.Headers.TryAddWithoutValidation(TokenTtlHeader, ((int)_tokenTtl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        var (status, body) = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
        {
            throw new CredentialProcessException($"IMDS at {Endpoint} refused an IMDSv2 token (HTTP {(int)status}): IMDSv2 is required; check the instance metadata options (and that no proxy adds X-Forwarded-For).");
        }

        Require(status, "an IMDSv2 token");
        lock (_lock)
        {
            _token = (body.Trim(), _timeProvider.GetUtcNow() + _tokenTtl);
        }

        return body.Trim();
    }

    private void ForgetToken()
    {
        lock (_lock)
        {
            _token = null;
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Endpoint, path));
        request.Headers.TryAddWithoutValidation(TokenHeader, token);
        return await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _httpClient.SendAsync(request, linked.Token).ConfigureAwait(false);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(linked.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CredentialProcessException($"IMDS at {Endpoint} did not answer within {_timeout.TotalSeconds:0.#} s: this is not an EC2 instance, or the hop limit is too low for a container (set the metadata hop limit to 2).", e);
        }
        catch (HttpRequestException e)
        {
            throw new CredentialProcessException($"IMDS at {Endpoint} is unreachable ({e.Message}): this is not an EC2 instance, or a firewall blocks 169.254.169.254.", e);
        }
    }

    private void Require(HttpStatusCode status, string what)
    {
        if (status != HttpStatusCode.OK)
        {
            throw new CredentialProcessException($"IMDS at {Endpoint} answered HTTP {(int)status} for {what}.");
        }
    }
}

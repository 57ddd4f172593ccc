using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AuthService.Aws.Credentials;
using AuthService.Aws.Protocol;
using AuthService.Aws.Signing;

namespace AuthService.Aws.SecretsManager;

/// <summary>
/// AWS Secrets Manager over its awsJson1_1 protocol (AWSSDK.SecretsManager is not available here): every call is
/// <c>POST /</c> with <c>X-Amz-Target: secretsmanager.&lt;Operation&gt;</c>, signed with SigV4, retried in standard mode.
/// </summary>
public sealed class SecretsManagerClient
{
    /// <summary>The signing name and endpoint prefix.</summary>
    public const string ServiceName = "secretsmanager";

    private readonly AwsHttpSender _sender;
    private readonly SigV4Signer _signer;
    private readonly IAwsCredentialsProvider _credentials;
    private readonly SecretsManagerClientOptions _options;

    /// <summary>Creates the client; the endpoint is resolved once, here.</summary>
    public SecretsManagerClient(HttpClient httpClient, IAwsCredentialsProvider credentials, TimeProvider timeProvider, SecretsManagerClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(options);
        _credentials = credentials;
        _options = options;
        _sender = new AwsHttpSender(httpClient, timeProvider, options.Client.Retry);
        _signer = new SigV4Signer(timeProvider);
        AwsEndpoints.RequireRegion(options.Region);
        Endpoint = AwsEndpoints.Resolve(ServiceName, "SECRETS_MANAGER", options.Region, options.UseFips, options.Endpoint, options.ProfileEndpointUrl, options.Client.Environment);
    }

    /// <summary>The endpoint requests go to.</summary>
    public Uri Endpoint { get; }

    /// <summary>The retry machinery (internal so tests can observe back-off without waiting).</summary>
    internal AwsHttpSender Sender => _sender;

    /// <summary>GetSecretValue: the value of a secret version (AWSCURRENT unless a version id or stage is given).</summary>
    public Task<SecretValue> GetSecretValueAsync(GetSecretValueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.SecretId, nameof(request));
        return CallAsync<GetSecretValueRequest, SecretValue>("GetSecretValue", request, cancellationToken);
    }

    /// <summary>DescribeSecret: a secret's metadata, without its value.</summary>
    public Task<SecretMetadata> DescribeSecretAsync(string secretId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(secretId);
        return CallAsync<Dictionary<string, string>, SecretMetadata>("DescribeSecret", new() { ["SecretId"] = secretId }, cancellationToken);
    }

    /// <summary>BatchGetSecretValue: several values at once; per-secret failures come back in <see cref="BatchGetSecretValueResponse.Errors"/>.</summary>
    public Task<BatchGetSecretValueResponse> BatchGetSecretValueAsync(BatchGetSecretValueRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.SecretIdList is null) == (request.Filters is null))
        {
            throw new ArgumentException("BatchGetSecretValue takes SecretIdList or Filters: set exactly one of them.", nameof(request));
        }

        if (request.MaxResults is not null && (request.Filters is null || request.MaxResults is < 1 or > 20))
        {
            throw new ArgumentException("BatchGetSecretValue's MaxResults must be 1..20 and is allowed only with Filters.", nameof(request));
        }

        return CallAsync<BatchGetSecretValueRequest, BatchGetSecretValueResponse>("BatchGetSecretValue", request, cancellationToken);
    }

    /// <summary>ListSecrets: one page.</summary>
    public Task<ListSecretsResponse> ListSecretsAsync(ListSecretsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync<ListSecretsRequest, ListSecretsResponse>("ListSecrets", request, cancellationToken);
    }

    /// <summary>ListSecretVersionIds: one page of a secret's versions and their staging labels.</summary>
    public Task<ListSecretVersionIdsResponse> ListSecretVersionIdsAsync(ListSecretVersionIdsRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(request.SecretId, nameof(request));
        return CallAsync<ListSecretVersionIdsRequest, ListSecretVersionIdsResponse>("ListSecretVersionIds", request, cancellationToken);
    }

    /// <summary>ListSecrets over every page: follows NextToken until it is absent (a page may be empty and still have one).</summary>
    public async IAsyncEnumerable<SecretMetadata> ListAllSecretsAsync(ListSecretsRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var page = request;
        while (true)
        {
            var response = await ListSecretsAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var secret in response.SecretList)
            {
                yield return secret;
            }

            if (string.IsNullOrEmpty(response.NextToken))
            {
                yield break;
            }

            if (!seen.Add(response.NextToken))
            {
                throw new InvalidOperationException("ListSecrets returned a NextToken it had already returned: stopping instead of looping forever. Check the endpoint override.");
            }

            page = page with { NextToken = response.NextToken };
        }
    }

    /// <summary>Turns an error response into an exception whose message says what to check.</summary>
    public static AwsServiceException ToError(AwsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var (code, message) = AwsJsonError.Parse(response);
        return new AwsServiceException(ServiceName, code, message, response.StatusCode, response.RequestId, Hint(code));
    }

    private static string? Hint(string code) => code switch
    {
        "ResourceNotFoundException" => "Check the secret name or ARN, and that the client uses the secret's region.",
        "AccessDeniedException" => "The credentials' role may not read this secret: allow the secretsmanager action on it in the role policy (and the secret's resource policy), plus kms:Decrypt on its KMS key.",
        "DecryptionFailure" => "Secrets Manager could not decrypt the secret with its KMS key: allow kms:Decrypt on that key for the role, and check the key is enabled.",
        "InvalidRequestException" => "The secret may be scheduled for deletion or the version not in a readable state: check it in the console.",
        "InvalidParameterException" => "A parameter is not valid: check the secret id, version id (32..64 characters) and version stage.",
        "InvalidNextTokenException" => "The paging token is stale: start listing again.",
        "UnrecognizedClientException" or "InvalidClientTokenId" or "InvalidSignatureException" or "IncompleteSignature" =>
            "The credentials were rejected: check the profile's keys or session, and the machine clock.",
        "ExpiredTokenException" or "RequestExpired" => "The credentials or the request expired: check the machine clock; credentials refresh ahead of expiry.",
        _ when AwsRetryClassifier.IsThrottling(code) => "Still throttled after retries: lower the request rate (cache secret values) or ask AWS for a higher quota.",
        "InternalServiceError" or "InternalFailure" or "ServiceUnavailable" => "An AWS-side failure persisted through the retries: try again later.",
        _ => null,
    };

    private async Task<TResponse> CallAsync<TRequest, TResponse>(string operation, TRequest input, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(input, SecretsManagerJson.Options);
        var response = await _sender.SendAsync(
            ServiceName,
            async token =>
            {
                var credentials = await _credentials.GetCredentialsAsync(token).ConfigureAwait(false);
                var message = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ByteArrayContent(body) };
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
                message.Headers.TryAddWithoutValidation("X-Amz-Target", "secretsmanager." + operation);
                await _signer.SignAsync(message, credentials, _options.Region, ServiceName, cancellationToken: token).ConfigureAwait(false);
                return message;
            },
            ToError,
            cancellationToken).ConfigureAwait(false);

        try
        {
            // awsJson: a body-less success is read as "{}".
            return JsonSerializer.Deserialize<TResponse>(response.Body.Length == 0 ? "{}"u8 : response.Body, SecretsManagerJson.Options)
                ?? throw new JsonException("null response");
        }
        catch (JsonException e)
        {
            // The body can hold a secret value: name the problem, never quote it.
            throw new AwsServiceException(
                $"secretsmanager {operation} returned HTTP {(int)response.StatusCode} with a body that is not a {operation} response ({e.Path ?? "root"}). Check that the endpoint override points at Secrets Manager.");
        }
    }
}

using AuthService.Aws.Credentials;
using AuthService.Aws.Protocol;
using AuthService.Aws.SecretsManager;

namespace AuthService.Secrets;

/// <summary>
/// The secret store of one configuration: AWS Secrets Manager through that configuration's credentials.
/// Translates AWS failures into <see cref="SecretFailureKind"/>s, the only place that knows AWS error codes.
/// </summary>
public sealed class AwsSecretStore : ISecretStore
{
    private readonly SecretsManagerClient _client;
    private readonly IAwsCredentialsProvider _credentials;

    public AwsSecretStore(SecretsManagerClient client, IAwsCredentialsProvider credentials)
    {
        _client = client;
        _credentials = credentials;
    }

    public Task CheckCredentialsAsync(CancellationToken cancellationToken) =>
        Call(async () => await _credentials.GetCredentialsAsync(cancellationToken).ConfigureAwait(false));

    public async Task<SecretRecord> GetSecretValueAsync(string secretId, string? versionId, string? versionStage, CancellationToken cancellationToken)
    {
        var value = await Call(() => _client.GetSecretValueAsync(
            new GetSecretValueRequest { SecretId = secretId, VersionId = versionId, VersionStage = versionStage }, cancellationToken)).ConfigureAwait(false);
        return new SecretRecord(
            value.Arn ?? secretId,
            value.Name ?? secretId,
            value.VersionId ?? string.Empty,
            value.VersionStages ?? [],
            value.CreatedDate,
            value.SecretString,
            value.SecretBinary);
    }

    public async Task<SecretVersions> DescribeSecretAsync(string secretId, CancellationToken cancellationToken)
    {
        var metadata = await Call(() => _client.DescribeSecretAsync(secretId, cancellationToken)).ConfigureAwait(false);
        return new SecretVersions(
            metadata.Arn ?? secretId,
            metadata.Name ?? secretId,
            metadata.VersionIdsToStages ?? new Dictionary<string, IReadOnlyList<string>>());
    }

    /// <summary>Runs an AWS call, translating its failures into <see cref="SecretStoreException"/>s.</summary>
    public static Task<T> TranslateAsync<T>(Func<Task<T>> call) => Call(call);

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AwsServiceException exception)
        {
            throw new SecretStoreException(KindOf(exception), exception.Message, exception);
        }
        catch (AwsTransportException exception)
        {
            throw new SecretStoreException(exception.IsTimeout ? SecretFailureKind.Timeout : SecretFailureKind.Unavailable, exception.Message, exception);
        }
        catch (CredentialsUnavailableException exception) when (IsCredentialsEndpointOutage(exception))
        {
            // Roles Anywhere or STS failing (5xx, throttling, unreachable) is not a configuration problem: say so,
            // so a connector retries instead of paging an operator to fix a profile that is fine.
            throw new SecretStoreException(
                SecretFailureKind.Unavailable,
                exception.Message + " The credentials endpoint is failing or unreachable; the service keeps retrying and recovers by itself (no restart, nothing to change in the profile).",
                exception);
        }
        catch (CredentialsUnavailableException exception)
        {
            throw new SecretStoreException(SecretFailureKind.CredentialsUnavailable, exception.Message, exception);
        }
    }

    private static bool IsCredentialsEndpointOutage(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is AwsTransportException || (inner is AwsServiceException aws && (aws.IsThrottling || (int)aws.StatusCode >= 500)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Secrets Manager error codes (AWS-WIRE-SHAPES.md) by what a connector should do about them.</summary>
    internal static SecretFailureKind KindOf(AwsServiceException exception) => exception.ErrorCode switch
    {
        "ResourceNotFoundException" => SecretFailureKind.NotFound,
        "AccessDeniedException" or "UnrecognizedClientException" or "InvalidSignatureException" or "ExpiredTokenException"
            or "IncompleteSignature" or "MissingAuthenticationToken" or "InvalidClientTokenId" => SecretFailureKind.AccessDenied,
        "DecryptionFailure" => SecretFailureKind.DecryptionFailure,
        "InvalidParameterException" or "InvalidRequestException" or "ValidationException" => SecretFailureKind.InvalidRequest,
        _ when exception.IsThrottling => SecretFailureKind.Throttled,
        _ => SecretFailureKind.Unavailable,
    };
}

/// <summary>Credentials could not be obtained; the message says which source failed and what to fix.</summary>
public sealed class CredentialsUnavailableException : Exception
{
    public CredentialsUnavailableException()
    {
    }

    public CredentialsUnavailableException(string message)
        : base(message)
    {
    }

    public CredentialsUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Marks every failure of a credentials provider as <see cref="CredentialsUnavailableException"/>, so a broken
/// token or profile is told apart from a Secrets Manager error. The inner messages are already sanitised by
/// the AWS layer (no PIN, key or credential).
/// </summary>
public sealed class CredentialsFailureBoundary(IAwsCredentialsProvider inner, string configuration) : IAwsCredentialsProvider
{
    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.GetCredentialsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException and not CredentialsUnavailableException)
        {
            throw new CredentialsUnavailableException(
                $"Configuration '{configuration}' has no AWS credentials: {exception.Message}", exception);
        }
    }
}

using System.Globalization;
using AuthService.Access;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Server;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace AuthService.Secrets;

/// <summary>
/// authservice.v1.SecretsService: validates requests, asks <see cref="SecretService"/>, maps the answer. The
/// mapping of failures to gRPC statuses lives here and nowhere else (docs/errors.md).
/// </summary>
public sealed partial class SecretsGrpcService(SecretService secrets, AccessGate access, ILogger<SecretsGrpcService> logger, TimeProvider time) : IGrpcService
{
    /// <summary>Most items one BatchGetSecrets call may ask for.</summary>
    public const int MaxBatchSize = 20;

    /// <summary>Sent with RESOURCE_EXHAUSTED (gRPC's retry pushback header, proposal A6).</summary>
    public const string RetryPushbackTrailer = "grpc-retry-pushback-ms";

    public static ServiceDescriptor Descriptor => SecretsReflection.Descriptor.Services[0];

    internal static Google.Protobuf.Reflection.MethodDescriptor Method(string name) => Descriptor.FindMethodByName(name);

    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.Unary<GetSecretRequest, GetSecretResponse>(Method("GetSecret"), GetSecretAsync);
        binder.Unary<BatchGetSecretsRequest, BatchGetSecretsResponse>(Method("BatchGetSecrets"), BatchGetSecretsAsync);
    }

    private async Task<GetSecretResponse> GetSecretAsync(GetSecretRequest request, GrpcCallContext context)
    {
        var caller = Admit([request], context);
        try
        {
            return await ServeAsync(request, caller, context).ConfigureAwait(false);
        }
        catch (SecretStoreException exception)
        {
            throw ToGrpc(exception);
        }
    }

    private async Task<BatchGetSecretsResponse> BatchGetSecretsAsync(BatchGetSecretsRequest request, GrpcCallContext context)
    {
        if (request.Requests.Count is 0 or > MaxBatchSize)
        {
            throw new GrpcException(StatusCode.InvalidArgument, $"BatchGetSecrets takes 1 to {MaxBatchSize} requests; this one has {request.Requests.Count}.");
        }

        var caller = Admit(request.Requests, context);
        var results = await Task.WhenAll(request.Requests.Select(async item =>
        {
            var result = new BatchGetSecretsResult { SecretId = item.SecretId };
            try
            {
                result.Secret = await ServeAsync(item, caller, context).ConfigureAwait(false);
            }
            catch (SecretStoreException exception)
            {
                var status = ToGrpc(exception);
                result.Code = (int)status.StatusCode;
                result.Message = status.Message;
            }
            catch (GrpcException denied) when (denied.StatusCode == StatusCode.PermissionDenied)
            {
                // One item the caller may not read does not fail the others.
                result.Code = (int)denied.StatusCode;
                result.Message = denied.Message;
            }

            return result;
        })).ConfigureAwait(false);
        var response = new BatchGetSecretsResponse();
        response.Results.AddRange(results);
        return response;
    }

    /// <summary>Identifies the caller and checks its rate; a refused call is audited for each secret it asked for.</summary>
    private CallerIdentity Admit(IEnumerable<GetSecretRequest> requests, GrpcCallContext context)
    {
        try
        {
            return access.Admit(context.HttpContext);
        }
        catch (GrpcException refused)
        {
            foreach (var request in requests)
            {
                Audit(request, "unidentified", response: null, refused.StatusCode.ToString(), "-", TimeSpan.Zero);
            }

            throw;
        }
    }

    /// <summary>Checks the policy, serves one request and writes its audit event, whatever the outcome.</summary>
    private async Task<GetSecretResponse> ServeAsync(GetSecretRequest request, CallerIdentity caller, GrpcCallContext context)
    {
        var started = time.GetTimestamp();
        var outcome = "OK";
        var rule = "-";
        GetSecretResponse? response = null;
        try
        {
            Validate(request);
            rule = access.AuthorizeRead(caller, request.Configuration, request.SecretId);
            var served = await ServeCoreAsync(request, AnswerBy(context.Deadline), context.CancellationToken).ConfigureAwait(false);
            // The value leaves only if the secret's real name and ARN are allowed too.
            rule = access.AuthorizeResolved(caller, request.Configuration, served.Name, served.Arn);
            response = served;
            return response;
        }
        catch (SecretStoreException exception)
        {
            outcome = ToGrpc(exception).StatusCode.ToString();
            throw;
        }
        catch (GrpcException exception)
        {
            outcome = exception.StatusCode.ToString();
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = "Cancelled";
            throw;
        }
        finally
        {
            Audit(request, caller.Display, response, outcome, rule, time.GetElapsedTime(started));
        }
    }

    private void Audit(GetSecretRequest request, string caller, GetSecretResponse? response, string outcome, string rule, TimeSpan elapsed)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        var secret = response?.Arn ?? request.SecretId;
        var version = response?.VersionId ?? string.Empty;
        var cacheStatus = response is null ? "none" : response.Cache.Stale ? "stale" : response.Cache.ServedFromCache ? "hit" : "miss";
        SecretRead(logger, caller, request.Configuration, secret, version, cacheStatus, outcome, rule, elapsed.TotalMilliseconds);
    }

    /// <summary>The audit event: one per secret read or refusal, never the value (IDs 4000-4099).</summary>
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information,
        Message = "Secret read by {Caller} through {Configuration}: {SecretArn} version {VersionId}, cache {CacheStatus}, outcome {Outcome}, rule {Rule}, {ElapsedMs:0.0} ms")]
    private static partial void SecretRead(ILogger logger, string caller, string configuration, string secretArn, string versionId, string cacheStatus, string outcome, string rule, double elapsedMs);

    /// <summary>
    /// When a stale value beats waiting on a slow Secrets Manager: shortly before the caller's deadline, leaving the
    /// answer time to travel back (a tenth of the time left, 20 ms to 250 ms). No deadline: no such point.
    /// </summary>
    private DateTimeOffset? AnswerBy(DateTimeOffset? deadline)
    {
        if (deadline is not { } end)
        {
            return null;
        }

        var left = end - time.GetUtcNow();
        return end - TimeSpan.FromTicks(Math.Clamp(left.Ticks / 10, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromMilliseconds(250).Ticks));
    }

    private async Task<GetSecretResponse> ServeCoreAsync(GetSecretRequest request, DateTimeOffset? answerBy, CancellationToken cancellationToken)
    {
        var query = new SecretQuery(
            request.SecretId,
            request.VersionCase == GetSecretRequest.VersionOneofCase.VersionId ? request.VersionId : null,
            request.VersionCase == GetSecretRequest.VersionOneofCase.VersionStage ? request.VersionStage : null);
        var served = await secrets.GetAsync(request.Configuration, query, request.HasJsonKey ? request.JsonKey : null, request.ForceRefresh, answerBy, cancellationToken)
            .ConfigureAwait(false);
        var record = served.Lookup.Record;
        var response = new GetSecretResponse
        {
            Arn = record.Arn,
            Name = record.Name,
            VersionId = record.VersionId,
            CreatedDate = record.CreatedDate is { } created ? Timestamp.FromDateTimeOffset(created) : null,
            Cache = new CacheInfo
            {
                ServedFromCache = served.Lookup.FromCache,
                Age = Duration.FromTimeSpan(served.Lookup.Age < TimeSpan.Zero ? TimeSpan.Zero : served.Lookup.Age),
                Stale = served.Lookup.Stale,
            },
        };
        response.VersionStages.AddRange(record.VersionStages);
        if (served.JsonValue is not null)
        {
            response.SecretString = served.JsonValue;
        }
        else if (record.SecretString is not null)
        {
            response.SecretString = record.SecretString;
        }
        else
        {
            // The cached array is never written to, so it is wrapped rather than copied: one copy of the value
            // in memory instead of one more per response.
            response.SecretBinary = UnsafeByteOperations.UnsafeWrap(record.SecretBinary ?? []);
        }

        return response;
    }

    private static void Validate(GetSecretRequest request)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Configuration))
        {
            problems.Add("configuration is required (see ConfigurationService.ListConfigurations)");
        }

        if (string.IsNullOrWhiteSpace(request.SecretId))
        {
            problems.Add("secret_id is required (a secret name or ARN)");
        }
        else if (request.SecretId.Length > 2048)
        {
            problems.Add("secret_id is longer than 2048 characters");
        }

        if (request.VersionCase == GetSecretRequest.VersionOneofCase.VersionId && string.IsNullOrWhiteSpace(request.VersionId))
        {
            problems.Add("version_id is set but empty");
        }

        if (request.VersionCase == GetSecretRequest.VersionOneofCase.VersionStage && string.IsNullOrWhiteSpace(request.VersionStage))
        {
            problems.Add("version_stage is set but empty");
        }

        if (request.HasJsonKey && request.JsonKey.Length == 0)
        {
            problems.Add("json_key is set but empty");
        }

        if (problems.Count > 0)
        {
            throw new GrpcException(StatusCode.InvalidArgument, "Invalid GetSecret request: " + string.Join("; ", problems) + ".");
        }
    }

    /// <summary>The one mapping from secret failures to gRPC statuses.</summary>
    internal static GrpcException ToGrpc(SecretStoreException exception) => exception.Kind switch
    {
        SecretFailureKind.NotFound => new(StatusCode.NotFound, exception.Message),
        SecretFailureKind.AccessDenied => new(StatusCode.PermissionDenied, exception.Message + " Check the role's permissions (secretsmanager:GetSecretValue, DescribeSecret) and any session policy."),
        SecretFailureKind.DecryptionFailure => new(StatusCode.PermissionDenied, exception.Message + " The role needs kms:Decrypt on the secret's KMS key."),
        SecretFailureKind.InvalidRequest => new(StatusCode.InvalidArgument, exception.Message),
        SecretFailureKind.Throttled => new(StatusCode.ResourceExhausted, exception.Message + " Secrets Manager is throttling; retry after about 1 s.")
        {
            Trailers = new Dictionary<string, string> { [RetryPushbackTrailer] = 1000.ToString(CultureInfo.InvariantCulture) },
        },
        SecretFailureKind.Timeout => new(StatusCode.DeadlineExceeded, exception.Message),
        SecretFailureKind.CredentialsUnavailable => new(StatusCode.FailedPrecondition, exception.Message),
        _ => new(StatusCode.Unavailable, exception.Message + " Nothing usable is cached; retry later."),
    };
}

using AwsEmulator.Admin;
using AwsEmulator.Faults;
using AwsEmulator.Hosting;
using AwsEmulator.SigV4;
using AwsEmulator.Wire;

namespace AwsEmulator.SecretsManager;

/// <summary>POST / with X-Amz-Target: secretsmanager.*: count, inject faults, verify SigV4, run, answer in awsJson1_1.</summary>
internal sealed class SecretsManagerEndpoint(
    SecretsManagerService service, SigV4Verifier verifier, RequestCounters counters, FaultInjector faults, ILogger<SecretsManagerEndpoint> logger)
{
    public const string TargetPrefix = "secretsmanager.";

    public async Task HandleAsync(HttpContext context, WireRequest request)
    {
        var target = request.Header("X-Amz-Target") ?? "";
        var operation = target.StartsWith(TargetPrefix, StringComparison.Ordinal) ? target[TargetPrefix.Length..] : target;
        counters.CountOperation(operation);
        try
        {
            var (fault, status) = await faults.ApplyAsync(operation, context.RequestAborted).ConfigureAwait(false);
            if (fault == FaultOutcome.Reset)
            {
                Log.FaultInjected(logger, "reset", operation);
                context.Abort();
                return;
            }

            if (fault != FaultOutcome.Proceed)
            {
                Log.FaultInjected(logger, fault.ToString(), operation);
                throw new AwsErrorException(FaultError(fault, status));
            }

            if (!target.StartsWith(TargetPrefix, StringComparison.Ordinal))
            {
                throw new AwsErrorException(new AwsError("UnknownOperationException", 400, $"Unknown target: {target}", true));
            }

            var outcome = verifier.Verify(request, "secretsmanager");
            if (!outcome.Succeeded)
            {
                throw new AwsErrorException(SignatureError(outcome));
            }

            var principal = outcome.Credential!.Principal;
            var body = HttpWire.ParseJsonObject(request.Body);
            var result = service.Invoke(operation, principal, body);
            Log.Served(logger, operation, principal.Arn);
            await HttpWire.WriteJsonAsync(context, result).ConfigureAwait(false);
        }
        catch (AwsErrorException ex)
        {
            Log.Refused(logger, operation, ex.Error.Code, ex.Error.Message);
            await HttpWire.WriteJsonErrorAsync(context, ex.Error).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            // A member of the wrong JSON type (a string where a number belongs): AWS answers SerializationException.
            var error = new AwsError("SerializationException", 400, "A request member has the wrong JSON type.", true);
            Log.Refused(logger, operation, error.Code, error.Message);
            await HttpWire.WriteJsonErrorAsync(context, error).ConfigureAwait(false);
        }
    }

    /// <summary>What the JSON services answer for each SigV4 failure (codes as seen from AWS's front door).</summary>
    public static AwsError SignatureError(SigV4Outcome outcome) => outcome.Error switch
    {
        SigV4Error.MissingAuthentication => new("MissingAuthenticationTokenException", 400, outcome.Message, true),
        SigV4Error.IncompleteSignature => new("IncompleteSignatureException", 400, outcome.Message, true),
        SigV4Error.UnknownAccessKey or SigV4Error.InvalidToken => new("UnrecognizedClientException", 400, outcome.Message, true),
        SigV4Error.ExpiredToken => new("ExpiredTokenException", 400, outcome.Message, true),
        _ => new("InvalidSignatureException", 400, outcome.Message, true),
    };

    private static AwsError FaultError(FaultOutcome fault, int status) => fault switch
    {
        FaultOutcome.Throttle => new("ThrottlingException", 400, "Rate exceeded", true),
        _ when status == 503 => new("ServiceUnavailable", 503, "Service is unavailable. Please try again later.", true),
        _ when status == 500 => new("InternalServiceError", 500, "An error occurred on the server side."),
        _ => new("InternalFailure", status, "The request processing has failed because of an unknown error, exception or failure.", true),
    };
}

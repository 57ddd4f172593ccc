using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using AwsEmulator.Admin;
using AwsEmulator.Faults;
using AwsEmulator.Hosting;
using AwsEmulator.Identity;
using AwsEmulator.Seed;
using AwsEmulator.SigV4;
using AwsEmulator.Wire;

namespace AwsEmulator.Sts;

/// <summary>
/// STS in the awsQuery protocol (API 2011-06-15): POST / with a form body, or GET / with the parameters in the query
/// (including presigned URLs). GetCallerIdentity, AssumeRole and GetSessionToken; XML answers and errors.
/// </summary>
internal sealed partial class StsEndpoint(
    EmulatorModel model, CredentialStore credentials, SigV4Verifier verifier, RequestCounters counters, FaultInjector faults,
    TimeProvider time, ILogger<StsEndpoint> logger)
{
    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    public async Task HandleAsync(HttpContext context, WireRequest request)
    {
        var parameters = Parameters(request);
        var action = parameters.GetValueOrDefault("Action") ?? "";
        counters.CountOperation(action);
        try
        {
            var (fault, status) = await faults.ApplyAsync(action, context.RequestAborted).ConfigureAwait(false);
            switch (fault)
            {
                case FaultOutcome.Reset:
                    Log.FaultInjected(logger, "reset", action);
                    context.Abort();
                    return;
                case FaultOutcome.Throttle:
                    throw new AwsErrorException(new AwsError("Throttling", 400, "Rate exceeded"));
                case FaultOutcome.ServerError:
                    throw new AwsErrorException(new AwsError(status == 503 ? "ServiceUnavailable" : "InternalFailure", status,
                        "The request processing has failed because of an unknown error, exception or failure."));
            }

            var outcome = verifier.Verify(request, "sts");
            if (!outcome.Succeeded)
            {
                throw new AwsErrorException(SignatureError(outcome));
            }

            var result = action switch
            {
                "GetCallerIdentity" => GetCallerIdentity(outcome.Credential!.Principal),
                "AssumeRole" => AssumeRole(outcome.Credential!.Principal, parameters),
                "GetSessionToken" => GetSessionToken(outcome.Credential!, parameters),
                _ => throw new AwsErrorException(new AwsError("InvalidAction", 400, $"Could not find operation {action} for version 2011-06-15")),
            };
            await WriteAsync(context, 200, new XElement(Ns + $"{action}Response",
                new XElement(Ns + $"{action}Result", result),
                new XElement(Ns + "ResponseMetadata", new XElement(Ns + "RequestId", HttpWire.NewRequestId())))).ConfigureAwait(false);
        }
        catch (AwsErrorException ex)
        {
            Log.Refused(logger, action, ex.Error.Code, ex.Error.Message);
            await WriteAsync(context, ex.Error.Status, new XElement(Ns + "ErrorResponse",
                new XElement(Ns + "Error",
                    new XElement(Ns + "Type", ex.Error.Status >= 500 ? "Receiver" : "Sender"),
                    new XElement(Ns + "Code", ex.Error.Code),
                    new XElement(Ns + "Message", ex.Error.Message)),
                new XElement(Ns + "RequestId", HttpWire.NewRequestId()))).ConfigureAwait(false);
        }
    }

    /// <summary>What the query services answer for each SigV4 failure.</summary>
    public static AwsError SignatureError(SigV4Outcome outcome) => outcome.Error switch
    {
        SigV4Error.MissingAuthentication => new("MissingAuthenticationToken", 403, "Request is missing Authentication Token"),
        SigV4Error.IncompleteSignature => new("IncompleteSignature", 400, outcome.Message),
        SigV4Error.UnknownAccessKey or SigV4Error.InvalidToken => new("InvalidClientTokenId", 403, outcome.Message),
        SigV4Error.ExpiredToken => new("ExpiredToken", 400, outcome.Message),
        _ => new("SignatureDoesNotMatch", 403, outcome.Message),
    };

    private static XElement[] GetCallerIdentity(Principal principal) =>
    [
        new(Ns + "Arn", principal.Arn),
        new(Ns + "UserId", principal.UserId),
        new(Ns + "Account", principal.Account),
    ];

    private XElement[] AssumeRole(Principal caller, Dictionary<string, string> parameters)
    {
        var roleArn = Required(parameters, "RoleArn");
        var sessionName = Required(parameters, "RoleSessionName");
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            throw Validation($"1 validation error detected: Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length 2..64");
        }

        var denied = new AwsErrorException(new AwsError("AccessDenied", 403,
            $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}"));
        if (!model.RolesByArn.TryGetValue(roleArn, out var role))
        {
            throw denied;
        }

        if (!caller.AssumableRoles.Any(p => SecretPattern.Matches(p, role.Name) || SecretPattern.Matches(p, role.Arn)))
        {
            throw denied;
        }

        var seconds = Duration(parameters, 3600, 900, 43200);
        if (seconds > role.MaxSessionDurationSeconds)
        {
            throw Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        var entry = credentials.Issue(credentials.RoleSession(role, sessionName), Expiry(seconds));
        Log.CredentialsIssued(logger, "AssumeRole", entry.Principal.Arn, entry.Expiration!.Value);
        return
        [
            new(Ns + "AssumedRoleUser", new XElement(Ns + "Arn", entry.Principal.Arn), new XElement(Ns + "AssumedRoleId", entry.Principal.UserId)),
            CredentialsElement(entry),
            new(Ns + "PackedPolicySize", 0),
        ];
    }

    private XElement[] GetSessionToken(CredentialEntry caller, Dictionary<string, string> parameters)
    {
        if (caller.SessionToken is not null || caller.Principal.IsRoleSession)
        {
            throw new AwsErrorException(new AwsError("AccessDenied", 403, "Cannot call GetSessionToken with session credentials"));
        }

        var seconds = Duration(parameters, 43200, 900, 129600);
        var entry = credentials.Issue(caller.Principal, Expiry(seconds));
        Log.CredentialsIssued(logger, "GetSessionToken", entry.Principal.Arn, entry.Expiration!.Value);
        return [CredentialsElement(entry)];
    }

    private DateTimeOffset Expiry(int seconds)
    {
        var at = time.GetUtcNow().AddSeconds(seconds);
        return at.AddTicks(-(at.Ticks % TimeSpan.TicksPerSecond));
    }

    private static XElement CredentialsElement(CredentialEntry entry) => new(Ns + "Credentials",
        new XElement(Ns + "AccessKeyId", entry.AccessKeyId),
        new XElement(Ns + "SecretAccessKey", entry.SecretAccessKey),
        new XElement(Ns + "SessionToken", entry.SessionToken),
        new XElement(Ns + "Expiration", entry.Expiration!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));

    private static int Duration(Dictionary<string, string> parameters, int fallback, int min, int max)
    {
        if (!parameters.TryGetValue("DurationSeconds", out var text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= min && seconds <= max
            ? seconds
            : throw Validation($"1 validation error detected: Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must have value between {min} and {max}");
    }

    private static string Required(Dictionary<string, string> parameters, string name) =>
        parameters.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw Validation($"1 validation error detected: Value null at '{char.ToLowerInvariant(name[0])}{name[1..]}' failed to satisfy constraint: Member must not be null");

    private static AwsErrorException Validation(string message) => new(new AwsError("ValidationError", 400, message));

    /// <summary>Form body ('+' is a space, as HTML forms encode) for POST, else the query string.</summary>
    private static Dictionary<string, string> Parameters(WireRequest request)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in request.QueryParameters())
        {
            result[key] = value;
        }

        if (request.Method == "POST" && request.Body.Length > 0)
        {
            foreach (var pair in Encoding.UTF8.GetString(request.Body).Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? "" : pair[(eq + 1)..];
                result[Uri.UnescapeDataString(key.Replace('+', ' '))] = Uri.UnescapeDataString(value.Replace('+', ' '));
            }
        }

        return result;
    }

    private static Task WriteAsync(HttpContext context, int status, XElement body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/xml";
        context.Response.Headers["x-amzn-RequestId"] = HttpWire.NewRequestId();
        return context.Response.WriteAsync(body.ToString(SaveOptions.DisableFormatting), context.RequestAborted);
    }

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();
}

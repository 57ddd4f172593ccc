using System.Globalization;
using AuthService.Configuration;
using AuthService.Grpc;

namespace AuthService.Access;

/// <summary>
/// The first stop of every call (DESIGN.md request path): who is calling, are they within their rate, and may
/// they do this. Denials name the caller and the rule, and are logged; the caller's audit event follows.
/// </summary>
public sealed partial class AccessGate(CallerResolver resolver, ConfigurationStore store, CallerRateLimiter limiter, ILogger<AccessGate> logger)
{
    /// <summary>Identifies the caller and spends one unit of its rate; UNAUTHENTICATED or RESOURCE_EXHAUSTED otherwise.</summary>
    public CallerIdentity Admit(HttpContext http)
    {
        var caller = resolver.Resolve(http);
        if (!limiter.TryAcquire(caller))
        {
            RateLimited(logger, caller.Display);
            throw new GrpcException(StatusCode.ResourceExhausted, $"Caller {caller.Display} is over its request rate (Server:Limits:CallerRequestsPerSecond); retry after about 100 ms.")
            {
                Trailers = new Dictionary<string, string> { [Secrets.SecretsGrpcService.RetryPushbackTrailer] = 100.ToString(CultureInfo.InvariantCulture) },
            };
        }

        return caller;
    }

    /// <summary>Before the read: PERMISSION_DENIED unless a rule lets the caller ask for this secret here.</summary>
    public string AuthorizeRead(CallerIdentity caller, string configuration, string secretId) =>
        Enforce(store.Access.CanRead(caller, configuration, secretId), caller, configuration, secretId);

    /// <summary>After the read: the same on the secret's real name and ARN, so an ARN cannot get around a name rule.</summary>
    public string AuthorizeResolved(CallerIdentity caller, string configuration, string name, string arn) =>
        Enforce(store.Access.CanReadResolved(caller, configuration, name, arn), caller, configuration, name);

    /// <summary>ConfigurationService calls: a rule with "admin": true must match.</summary>
    public void AuthorizeAdmin(CallerIdentity caller)
    {
        var decision = store.Access.CanAdminister(caller);
        if (!decision.Allowed)
        {
            Denied(logger, caller.Display, "ConfigurationService", "-", decision.Rule);
            throw new GrpcException(StatusCode.PermissionDenied,
                $"Caller {caller.Display} may not use the ConfigurationService: {Reason(decision.Rule)}. An operator can allow it with an access rule that has \"admin\": true.");
        }
    }

    private string Enforce(AccessDecision decision, CallerIdentity caller, string configuration, string secret)
    {
        if (decision.Allowed)
        {
            return decision.Rule;
        }

        Denied(logger, caller.Display, configuration, secret, decision.Rule);
        throw new GrpcException(StatusCode.PermissionDenied,
            $"Caller {caller.Display} may not read '{secret}' through configuration '{configuration}': {Reason(decision.Rule)}. An operator can allow it with a rule in the \"access\" section of the configurations file.");
    }

    private static string Reason(string rule) =>
        rule == AccessPolicy.DefaultDenyRule ? "no access rule allows it (default-deny)" : $"access rule '{rule}' denies it";

    [LoggerMessage(EventId = 5000, Level = LogLevel.Warning, Message = "Access denied: caller {Caller}, configuration {Configuration}, secret {SecretId}, rule {Rule}")]
    private static partial void Denied(ILogger logger, string caller, string configuration, string secretId, string rule);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "Caller {Caller} is over its request rate; call refused with RESOURCE_EXHAUSTED")]
    private static partial void RateLimited(ILogger logger, string caller);
}

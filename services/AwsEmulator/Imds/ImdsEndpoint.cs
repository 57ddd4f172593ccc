using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AwsEmulator.Admin;
using AwsEmulator.Faults;
using AwsEmulator.Hosting;
using AwsEmulator.Identity;
using AwsEmulator.Seed;

namespace AwsEmulator.Imds;

/// <summary>
/// EC2 instance metadata, IMDSv2 only: PUT /latest/api/token, then the role name and its credentials under
/// /latest/meta-data/iam/security-credentials/ with X-aws-ec2-metadata-token. Credentials last 6 hours and are
/// replaced 15 minutes before they expire (EC2 promises at least 5).
/// </summary>
internal sealed class ImdsEndpoint(
    EmulatorModel model, CredentialStore credentials, RequestCounters counters, FaultInjector faults, TimeProvider time, ILogger<ImdsEndpoint> logger)
{
    public const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(6);
    private static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private CredentialEntry? _current;
    private DateTimeOffset _issuedAt;

    public async Task<IResult> TokenAsync(HttpContext context)
    {
        var refused = await FaultAsync(context, "ImdsToken").ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        if (context.Request.Headers.ContainsKey("X-Forwarded-For"))
        {
            // IMDS refuses forwarded token requests, so a proxy cannot fetch tokens for someone else.
            return Results.Text("Forwarded requests are not allowed", "text/plain", statusCode: 400);
        }

        if (!int.TryParse(context.Request.Headers[TtlHeader].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > 21600)
        {
            return Results.Text($"{TtlHeader} must be 1..21600", "text/plain", statusCode: 400);
        }

        if (_tokens.Count > 10_000)
        {
            foreach (var stale in _tokens.Where(t => t.Value <= time.GetUtcNow()).Select(t => t.Key).ToList())
            {
                _tokens.TryRemove(stale, out _);
            }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(40));
        _tokens[token] = time.GetUtcNow().AddSeconds(ttl);
        context.Response.Headers[TtlHeader] = ttl.ToString(CultureInfo.InvariantCulture);
        return Results.Text(token, "text/plain");
    }

    public async Task<IResult> CredentialsAsync(HttpContext context, string? role)
    {
        var refused = await FaultAsync(context, "ImdsCredentials").ConfigureAwait(false);
        if (refused is not null)
        {
            return refused;
        }

        var token = context.Request.Headers[TokenHeader].ToString();
        if (token.Length == 0 || !_tokens.TryGetValue(token, out var expires) || time.GetUtcNow() >= expires)
        {
            return Results.Text(token.Length == 0 ? "no token provided" : "invalid token provided", "text/plain", statusCode: 401);
        }

        context.Response.Headers[TtlHeader] = ((int)(expires - time.GetUtcNow()).TotalSeconds).ToString(CultureInfo.InvariantCulture);
        if (model.ImdsRoleName is null)
        {
            return Results.NotFound();
        }

        if (string.IsNullOrEmpty(role))
        {
            return Results.Text(model.ImdsRoleName, "text/plain");
        }

        if (role != model.ImdsRoleName)
        {
            return Results.NotFound();
        }

        var entry = Current();
        var body = new JsonObject
        {
            ["Code"] = "Success",
            ["LastUpdated"] = Format(_issuedAt),
            ["Type"] = "AWS-HMAC",
            ["AccessKeyId"] = entry.AccessKeyId,
            ["SecretAccessKey"] = entry.SecretAccessKey,
            ["Token"] = entry.SessionToken,
            ["Expiration"] = Format(entry.Expiration!.Value),
        };
        return Results.Text(body.ToJsonString(), "text/plain");
    }

    private CredentialEntry Current()
    {
        lock (_sync)
        {
            var now = time.GetUtcNow();
            if (_current is null || _current.Expiration!.Value - now <= RefreshBefore)
            {
                var role = model.RolesByArn.Values.First(r => r.Name == model.ImdsRoleName);
                var expiration = now + Lifetime;
                _current = credentials.Issue(credentials.RoleSession(role, "i-0emulator00000000"), expiration.AddTicks(-(expiration.Ticks % TimeSpan.TicksPerSecond)));
                _issuedAt = now;
                Log.CredentialsIssued(logger, "ImdsCredentials", _current.Principal.Arn, _current.Expiration!.Value);
            }

            return _current;
        }
    }

    private async Task<IResult?> FaultAsync(HttpContext context, string operation)
    {
        counters.CountOperation(operation);
        var (fault, status) = await faults.ApplyAsync(operation, context.RequestAborted).ConfigureAwait(false);
        switch (fault)
        {
            case FaultOutcome.Reset:
                Log.FaultInjected(logger, "reset", operation);
                context.Abort();
                return Results.Empty;
            case FaultOutcome.Throttle:
                return Results.Text("Too Many Requests", "text/plain", statusCode: 429);
            case FaultOutcome.ServerError:
                return Results.Text("Internal Server Error", "text/plain", statusCode: status);
            default:
                return null;
        }
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}

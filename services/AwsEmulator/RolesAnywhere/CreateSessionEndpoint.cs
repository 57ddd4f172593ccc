using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using AwsEmulator.Admin;
using AwsEmulator.Faults;
using AwsEmulator.Hosting;
using AwsEmulator.Identity;
using AwsEmulator.Seed;
using AwsEmulator.Wire;

namespace AwsEmulator.RolesAnywhere;

/// <summary>
/// Roles Anywhere CreateSession (POST /sessions?profileArn&amp;roleArn&amp;trustAnchorArn): verify the X.509-signed
/// request, validate the certificate to the trust anchor, check the profile and role, and answer 201 with
/// temporary credentials in AWS's JSON shape. Errors use restJson1: X-Amzn-ErrorType plus {"message": ...}.
/// </summary>
internal sealed class CreateSessionEndpoint(
    EmulatorModel model, CredentialStore credentials, X509RequestVerifier verifier, RequestCounters counters, FaultInjector faults,
    TimeProvider time, ILogger<CreateSessionEndpoint> logger)
{
    public const string Operation = "CreateSession";

    public async Task HandleAsync(HttpContext context)
    {
        counters.CountOperation(Operation);
        try
        {
            var (fault, status) = await faults.ApplyAsync(Operation, context.RequestAborted).ConfigureAwait(false);
            switch (fault)
            {
                case FaultOutcome.Reset:
                    Log.FaultInjected(logger, "reset", Operation);
                    context.Abort();
                    return;
                case FaultOutcome.Throttle:
                    throw new AwsErrorException(new AwsError("ThrottlingException", 429, "Rate exceeded", true));
                case FaultOutcome.ServerError:
                    throw new AwsErrorException(new AwsError("InternalServerException", status, "Internal server error", true));
            }

            var request = await HttpWire.ReadAsync(context).ConfigureAwait(false);
            var body = CreateSession(request);
            await HttpWire.WriteJsonAsync(context, body, 201, "application/json").ConfigureAwait(false);
        }
        catch (AwsErrorException ex)
        {
            Log.Refused(logger, Operation, ex.Error.Code, ex.Error.Message);
            await HttpWire.WriteJsonErrorAsync(context, ex.Error, "application/json").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            var error = new AwsError("ValidationException", 400, "durationSeconds must be a number and roleSessionName a string.", true);
            Log.Refused(logger, Operation, error.Code, error.Message);
            await HttpWire.WriteJsonErrorAsync(context, error, "application/json").ConfigureAwait(false);
        }
    }

    private JsonObject CreateSession(AwsEmulator.SigV4.WireRequest request)
    {
        var anchorArn = Required(request, "trustAnchorArn");
        var profileArn = Required(request, "profileArn");
        var roleArn = Required(request, "roleArn");

        // Without a known, enabled anchor there is no CA to trust the certificate to.
        var anchor = model.TrustAnchors.FirstOrDefault(a => a.Arn == anchorArn && a.Enabled);
        var signer = verifier.VerifySignature(request, anchor?.Region ?? RegionOf(anchorArn));
        if (anchor is null)
        {
            throw X509RequestVerifier.Denied(X509RequestVerifier.Untrusted);
        }

        var profile = model.Profiles.FirstOrDefault(p => p.Arn == profileArn)
            ?? throw new AwsErrorException(new AwsError("ResourceNotFoundException", 404, $"Profile not found: {profileArn}", true));
        if (profile.Region != anchor.Region)
        {
            throw X509RequestVerifier.Validation($"Region mismatch: the profile is in '{profile.Region}' but the trust anchor is in '{anchor.Region}'.");
        }

        if (!profile.Enabled)
        {
            throw X509RequestVerifier.Denied($"Profile is disabled: {profileArn}");
        }

        verifier.ValidateChain(signer, request, anchor);

        var input = HttpWire.ParseJsonObject(request.Body);
        var duration = input["durationSeconds"] is { } d ? d.GetValue<int>() : 3600;
        if (duration < 900)
        {
            throw X509RequestVerifier.Validation($"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
        }

        if (duration > 43200)
        {
            throw X509RequestVerifier.Validation($"1 validation error detected: Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200");
        }

        var sessionName = input["roleSessionName"]?.GetValue<string>();
        if (sessionName is not null && !profile.AcceptRoleSessionName)
        {
            throw X509RequestVerifier.Validation("The profile does not accept a role session name (acceptRoleSessionName is false).");
        }

        if (!profile.RoleArns.Contains(roleArn) || !model.RolesByArn.TryGetValue(roleArn, out var role))
        {
            throw X509RequestVerifier.Denied($"Unable to assume role for arn: {roleArn}. The profile does not list it, or it does not exist.");
        }

        var seconds = faults.SessionLifetimeSeconds(Operation)
            ?? Math.Min(duration, Math.Min(profile.DurationSeconds, role.MaxSessionDurationSeconds));
        var now = time.GetUtcNow();
        var expiration = TruncateToSeconds(now.AddSeconds(seconds));
        var serialHex = Convert.ToHexStringLower(signer.Certificate.SerialNumberBytes.Span);
        var entry = credentials.Issue(credentials.RoleSession(role, sessionName ?? serialHex), expiration);
        Log.SessionIssued(logger, role.Arn, signer.SerialDecimal, expiration);
        return new JsonObject
        {
            ["credentialSet"] = new JsonArray(new JsonObject
            {
                ["assumedRoleUser"] = new JsonObject { ["arn"] = entry.Principal.Arn, ["assumedRoleId"] = entry.Principal.UserId },
                ["credentials"] = new JsonObject
                {
                    ["accessKeyId"] = entry.AccessKeyId,
                    ["secretAccessKey"] = entry.SecretAccessKey,
                    ["sessionToken"] = entry.SessionToken,
                    ["expiration"] = expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                },
                ["packedPolicySize"] = 0,
                ["roleArn"] = role.Arn,
                ["sourceIdentity"] = signer.Certificate.SubjectName.Name,
            }),
            ["subjectArn"] = $"arn:aws:rolesanywhere:{anchor.Region}:{model.AccountId}:subject/{SubjectId(signer)}",
        };
    }

    private static string Required(AwsEmulator.SigV4.WireRequest request, string name) =>
        request.Query(name) is { Length: > 0 } value
            ? value
            : throw X509RequestVerifier.Validation($"1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null");

    private static string RegionOf(string arn) => arn.Split(':') is { Length: > 4 } parts ? parts[3] : "";

    /// <summary>A stable subject id per certificate, as Roles Anywhere keeps one subject per distinct certificate.</summary>
    private static Guid SubjectId(X509Signer signer) => new(SHA256.HashData(signer.Certificate.RawDataMemory.Span).AsSpan(0, 16));

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond));
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AwsEmulator.Identity;

namespace AwsEmulator.SigV4;

/// <summary>Why a SigV4 request was refused; each protocol turns it into its own error code.</summary>
internal enum SigV4Error
{
    MissingAuthentication,
    IncompleteSignature,
    SignatureDoesNotMatch,
    SignatureExpired,
    UnknownAccessKey,
    InvalidToken,
    ExpiredToken,
}

/// <summary>The verdict: the credential that signed, or the error and AWS's message for it.</summary>
internal sealed record SigV4Outcome(CredentialEntry? Credential, SigV4Error? Error, string Message)
{
    public bool Succeeded => Credential is not null;

    public static SigV4Outcome Fail(SigV4Error error, string message) => new(null, error, message);
}

/// <summary>
/// Verifies AWS4-HMAC-SHA256 requests (Authorization header and presigned query), including the session token of
/// temporary credentials, their expiry, and the 5-minute clock skew rule.
/// </summary>
internal sealed class SigV4Verifier(Func<string, CredentialEntry?> findCredential, TimeProvider time, string region)
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>AWS refuses a request whose X-Amz-Date is more than this far from its clock.</summary>
    public static readonly TimeSpan MaxSkew = TimeSpan.FromMinutes(5);

    private const string MismatchMessage =
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

    private static readonly string[] PresignedFields = ["X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date", "X-Amz-Expires"];

    private const string InvalidTokenMessage = "The security token included in the request is invalid.";

    /// <summary>Derived keys change once a day per key; deriving them costs four HMACs per request otherwise.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _signingKeys = new();

    public SigV4Outcome Verify(WireRequest request, string service)
    {
        if (_signingKeys.Count > 10_000)
        {
            _signingKeys.Clear();
        }

        var authorization = request.Header("Authorization");
        var presigned = request.Query("X-Amz-Algorithm") is not null;
        if (authorization is null && !presigned)
        {
            return SigV4Outcome.Fail(SigV4Error.MissingAuthentication, "Missing Authentication Token");
        }

        AuthorizationHeader? auth;
        string error;
        string? amzDate;
        TimeSpan? expires = null;
        if (authorization is not null)
        {
            auth = AuthorizationHeader.TryParse(authorization, out error);
            amzDate = request.Header("X-Amz-Date");
            if (auth is not null && amzDate is null)
            {
                return SigV4Outcome.Fail(SigV4Error.IncompleteSignature,
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
            }
        }
        else
        {
            var missing = PresignedFields
                .Where(k => request.Query(k) is null).ToList();
            if (missing.Count > 0)
            {
                return SigV4Outcome.Fail(SigV4Error.IncompleteSignature,
                    string.Join(' ', missing.Select(m => $"Query-string authentication requires the {m} parameter.")));
            }

            auth = AuthorizationHeader.FromParts(request.Query("X-Amz-Algorithm")!, request.Query("X-Amz-Credential")!,
                request.Query("X-Amz-SignedHeaders")!, request.Query("X-Amz-Signature")!, out error);
            amzDate = request.Query("X-Amz-Date");
            if (!int.TryParse(request.Query("X-Amz-Expires"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 604800)
            {
                return SigV4Outcome.Fail(SigV4Error.IncompleteSignature, "X-Amz-Expires must be a whole number of seconds, at most 604800.");
            }

            expires = TimeSpan.FromSeconds(seconds);
        }

        if (auth is null)
        {
            return SigV4Outcome.Fail(SigV4Error.IncompleteSignature, error);
        }

        if (auth.Algorithm != Algorithm)
        {
            return SigV4Outcome.Fail(SigV4Error.IncompleteSignature, $"Unsupported AWS 'algorithm': '{auth.Algorithm}'");
        }

        if (!SigV4Canonicalizer.TryParseAmzDate(amzDate, out var signedAt))
        {
            return SigV4Outcome.Fail(SigV4Error.IncompleteSignature,
                $"Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601");
        }

        if (!auth.SignedHeaders.Contains("host"))
        {
            return SigV4Outcome.Fail(SigV4Error.IncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        }

        var now = time.GetUtcNow();
        var skewFailure = CheckTime(signedAt, now, expires);
        if (skewFailure is not null)
        {
            return skewFailure;
        }

        var scopeFailure = CheckScope(auth, amzDate!, service);
        if (scopeFailure is not null)
        {
            return scopeFailure;
        }

        var credential = findCredential(auth.CredentialId);
        if (credential is null)
        {
            return SigV4Outcome.Fail(SigV4Error.UnknownAccessKey, InvalidTokenMessage);
        }

        var token = presigned && authorization is null ? request.Query("X-Amz-Security-Token") : request.Header("X-Amz-Security-Token");
        if (!TokenMatches(credential.SessionToken, token))
        {
            return SigV4Outcome.Fail(SigV4Error.InvalidToken, InvalidTokenMessage);
        }

        if (credential.Expiration is { } expiration && now >= expiration)
        {
            return SigV4Outcome.Fail(SigV4Error.ExpiredToken, "The security token included in the request is expired");
        }

        var canonical = SigV4Canonicalizer.CanonicalRequest(request, auth.SignedHeaders, authorization is null ? "X-Amz-Signature" : null, normalizePath: true);
        var stringToSign = SigV4Canonicalizer.StringToSign(Algorithm, amzDate!, auth.Scope, canonical);
        var key = _signingKeys.GetOrAdd((credential.SecretAccessKey, auth.ScopeDate, auth.Region, auth.Service),
            static k => SigV4Canonicalizer.SigningKey(k.Secret, k.Date, k.Region, k.Service));
        var expected = SigV4Canonicalizer.HmacSignature(key, stringToSign);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(auth.Signature)))
        {
            return SigV4Outcome.Fail(SigV4Error.SignatureDoesNotMatch, MismatchMessage);
        }

        return new SigV4Outcome(credential, null, "");
    }

    private static SigV4Outcome? CheckTime(DateTimeOffset signedAt, DateTimeOffset now, TimeSpan? presignedFor)
    {
        if (signedAt - now > MaxSkew)
        {
            return SigV4Outcome.Fail(SigV4Error.SignatureExpired,
                $"Signature not yet current: {Format(signedAt)} is still later than {Format(now + MaxSkew)} ({Format(now)} + 5 min.)");
        }

        if (presignedFor is { } lifetime)
        {
            return now > signedAt + lifetime
                ? SigV4Outcome.Fail(SigV4Error.SignatureExpired,
                    $"Signature expired: {Format(signedAt + lifetime)} is now earlier than {Format(now)}")
                : null;
        }

        return now - signedAt > MaxSkew
            ? SigV4Outcome.Fail(SigV4Error.SignatureExpired,
                $"Signature expired: {Format(signedAt)} is now earlier than {Format(now - MaxSkew)} ({Format(now)} - 5 min.)")
            : null;
    }

    private SigV4Outcome? CheckScope(AuthorizationHeader auth, string amzDate, string service)
    {
        if (auth.ScopeDate != amzDate[..8])
        {
            return SigV4Outcome.Fail(SigV4Error.SignatureDoesNotMatch,
                $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{auth.ScopeDate}' != '{amzDate[..8]}', from '{amzDate}'.");
        }

        if (auth.Service != service)
        {
            return SigV4Outcome.Fail(SigV4Error.SignatureDoesNotMatch, $"Credential should be scoped to correct service: '{service}'. ");
        }

        return auth.Region != region
            ? SigV4Outcome.Fail(SigV4Error.SignatureDoesNotMatch, $"Credential should be scoped to a valid region, not '{auth.Region}'. ")
            : null;
    }

    /// <summary>Temporary keys need their own token; long-term keys must come without one.</summary>
    private static bool TokenMatches(string? issued, string? sent)
    {
        if (issued is null || sent is null)
        {
            return issued is null && sent is null;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(issued), Encoding.UTF8.GetBytes(sent));
    }

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(SigV4Canonicalizer.DateFormat, CultureInfo.InvariantCulture);
}

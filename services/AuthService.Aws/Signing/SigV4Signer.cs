using System.Security.Cryptography;
using System.Text;
using AuthService.Aws.Credentials;

namespace AuthService.Aws.Signing;

/// <summary>
/// AWS Signature Version 4 with HMAC-SHA256 (<c>AWS4-HMAC-SHA256</c>): the Authorization-header form and the
/// query-string (presigned URL) form.
/// </summary>
/// <param name="timeProvider">The clock the signing time is taken from.</param>
public sealed class SigV4Signer(TimeProvider timeProvider)
{
    private const string SessionTokenName = "X-Amz-Security-Token";

    /// <summary>Signs <paramref name="request"/> in place: adds X-Amz-Date, X-Amz-Security-Token and Authorization.</summary>
    /// <remarks>The body must be buffered (it is read to hash it). Sign every attempt afresh: a signature dates.</remarks>
    public async Task<SigV4Signature> SignAsync(
        HttpRequestMessage request, AwsCredentials credentials, string region, string service,
        SigV4SigningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var signature = SignHeaders(SigV4Request.FromHttpRequest(request, body), credentials, region, service, timeProvider.GetUtcNow(), options);
        foreach (var (name, value) in signature.HeadersToAdd)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return signature;
    }

    /// <summary>Returns a presigned URL for <paramref name="request"/>, valid for <paramref name="expiresIn"/> (1 s to 7 days).</summary>
    public async Task<Uri> PresignAsync(
        HttpRequestMessage request, AwsCredentials credentials, string region, string service, TimeSpan expiresIn,
        SigV4SigningOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var signature = SignQuery(SigV4Request.FromHttpRequest(request, body), credentials, region, service, timeProvider.GetUtcNow(), expiresIn, options);
        var uri = request.RequestUri!;
        var added = string.Join('&', signature.QueryToAdd.Select(p => SigV4.UriEncode(p.Key) + "=" + SigV4.UriEncode(p.Value)));
        var query = string.IsNullOrEmpty(uri.Query) || uri.Query == "?" ? added : uri.Query.TrimStart('?') + "&" + added;
        return new UriBuilder(uri) { Query = query }.Uri;
    }

    /// <summary>Header-mode signature of <paramref name="request"/> at <paramref name="time"/>.</summary>
    public static SigV4Signature SignHeaders(
        SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset time,
        SigV4SigningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        options ??= SigV4SigningOptions.Default;
        var amzDate = SigV4.FormatAmzDate(time);
        var scope = SigV4.CredentialScope(time, region, service);
        var payloadHash = SigV4.HexSha256(request.Body.Span);

        var added = new List<KeyValuePair<string, string>> { new("X-Amz-Date", amzDate) };
        if (options.AddContentSha256Header)
        {
            added.Add(new("X-Amz-Content-Sha256", payloadHash));
        }

        if (credentials.SessionToken is { } token && options.SignSessionToken)
        {
            added.Add(new(SessionTokenName, token));
        }

        var (canonicalHeaders, signedHeaders) = SigV4.CanonicalHeaders(request.Headers.Concat(added));
        var canonicalRequest = SigV4.CanonicalRequest(
            request.Method, SigV4.CanonicalUri(request.Path, options.NormalizePath), SigV4.CanonicalQuery(request.Query),
            canonicalHeaders, signedHeaders, payloadHash);
        var stringToSign = SigV4.StringToSign(SigV4.HmacSha256Algorithm, amzDate, scope, canonicalRequest);
        var signature = Hmac(credentials, time, region, service, stringToSign);
        var authorization = SigV4.Authorization(SigV4.HmacSha256Algorithm, credentials.AccessKeyId, scope, signedHeaders, signature);

        if (credentials.SessionToken is { } lateToken && !options.SignSessionToken)
        {
            added.Add(new(SessionTokenName, lateToken));
        }

        added.Add(new("Authorization", authorization));
        return new SigV4Signature
        {
            Algorithm = SigV4.HmacSha256Algorithm,
            CanonicalRequest = canonicalRequest,
            StringToSign = stringToSign,
            Signature = signature,
            SignedHeaders = signedHeaders,
            Authorization = authorization,
            HeadersToAdd = added,
        };
    }

    /// <summary>Query-mode (presigned URL) signature of <paramref name="request"/> at <paramref name="time"/>.</summary>
    public static SigV4Signature SignQuery(
        SigV4Request request, AwsCredentials credentials, string region, string service, DateTimeOffset time,
        TimeSpan expiresIn, SigV4SigningOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        if (expiresIn < TimeSpan.FromSeconds(1) || expiresIn > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(expiresIn), expiresIn, "A presigned URL must expire in 1 second to 7 days.");
        }

        options ??= SigV4SigningOptions.Default;
        var amzDate = SigV4.FormatAmzDate(time);
        var scope = SigV4.CredentialScope(time, region, service);
        var payloadHash = SigV4.HexSha256(request.Body.Span);
        var (canonicalHeaders, signedHeaders) = SigV4.CanonicalHeaders(request.Headers);

        var added = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Algorithm", SigV4.HmacSha256Algorithm),
            new("X-Amz-Credential", credentials.AccessKeyId + "/" + scope),
            new("X-Amz-Date", amzDate),
            new("X-Amz-Expires", ((long)expiresIn.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new("X-Amz-SignedHeaders", signedHeaders),
        };
        if (credentials.SessionToken is { } token && options.SignSessionToken)
        {
            added.Add(new(SessionTokenName, token));
        }

        var canonicalRequest = SigV4.CanonicalRequest(
            request.Method, SigV4.CanonicalUri(request.Path, options.NormalizePath),
            SigV4.CanonicalQuery(request.Query.Concat(added)), canonicalHeaders, signedHeaders, payloadHash);
        var stringToSign = SigV4.StringToSign(SigV4.HmacSha256Algorithm, amzDate, scope, canonicalRequest);
        var signature = Hmac(credentials, time, region, service, stringToSign);

        if (credentials.SessionToken is { } lateToken && !options.SignSessionToken)
        {
            added.Add(new(SessionTokenName, lateToken));
        }

        added.Add(new("X-Amz-Signature", signature));
        return new SigV4Signature
        {
            Algorithm = SigV4.HmacSha256Algorithm,
            CanonicalRequest = canonicalRequest,
            StringToSign = stringToSign,
            Signature = signature,
            SignedHeaders = signedHeaders,
            Authorization = SigV4.Authorization(SigV4.HmacSha256Algorithm, credentials.AccessKeyId, scope, signedHeaders, signature),
            QueryToAdd = added,
        };
    }

    private static string Hmac(AwsCredentials credentials, DateTimeOffset time, string region, string service, string stringToSign)
    {
        var key = SigV4.SigningKey(credentials.SecretAccessKey, SigV4.FormatScopeDate(time), region, service);
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
    }
}

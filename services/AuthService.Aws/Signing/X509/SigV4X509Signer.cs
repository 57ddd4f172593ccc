using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AuthService.Aws.Signing.X509;

/// <summary>
/// SigV4-X509, the IAM Roles Anywhere signature: SigV4's canonical request and string to sign, signed with the
/// certificate's private key (<c>AWS4-X509-RSA-SHA256</c> or <c>AWS4-X509-ECDSA-SHA256</c>) instead of HMAC; the
/// credential id is the certificate serial in decimal.
/// </summary>
/// <param name="timeProvider">The clock the signing time is taken from.</param>
public sealed class SigV4X509Signer(TimeProvider timeProvider)
{
    /// <summary>Signs <paramref name="request"/> in place: adds X-Amz-Date, X-Amz-X509, X-Amz-X509-Chain (only with
    /// intermediates) and Authorization. Call it again for every retry: the date is part of the signature.</summary>
    public async Task<SigV4Signature> SignAsync(
        HttpRequestMessage request, IX509Signer signer, IReadOnlyList<X509Certificate2> intermediates, string region,
        string service, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var signature = await SignHeadersAsync(
            SigV4Request.FromHttpRequest(request, body), signer, intermediates, region, service, timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in signature.HeadersToAdd)
        {
            request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return signature;
    }

    /// <summary>Header-mode SigV4-X509 signature of <paramref name="request"/> at <paramref name="time"/>.</summary>
    public static async Task<SigV4Signature> SignHeadersAsync(
        SigV4Request request, IX509Signer signer, IReadOnlyList<X509Certificate2> intermediates, string region,
        string service, DateTimeOffset time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signer);
        ArgumentNullException.ThrowIfNull(intermediates);
        var algorithm = X509SignatureFormat.AlgorithmName(signer.Algorithm);
        var amzDate = SigV4.FormatAmzDate(time);
        var scope = SigV4.CredentialScope(time, region, service);

        var added = new List<KeyValuePair<string, string>>
        {
            new("X-Amz-Date", amzDate),
            new("X-Amz-X509", Convert.ToBase64String(signer.Certificate.RawData)),
        };

        // AWS rejects an empty chain header, so it is sent only when there is a chain.
        if (intermediates.Count > 0)
        {
            added.Add(new("X-Amz-X509-Chain", string.Join(',', intermediates.Select(c => Convert.ToBase64String(c.RawData)))));
        }

        var (canonicalHeaders, signedHeaders) = SigV4.CanonicalHeaders(request.Headers.Concat(added));
        var canonicalRequest = SigV4.CanonicalRequest(
            request.Method, SigV4.CanonicalUri(request.Path, normalize: true), SigV4.CanonicalQuery(request.Query),
            canonicalHeaders, signedHeaders, SigV4.HexSha256(request.Body.Span));
        var stringToSign = SigV4.StringToSign(algorithm, amzDate, scope, canonicalRequest);
        var signatureBytes = await signer.SignAsync(Encoding.UTF8.GetBytes(stringToSign), cancellationToken).ConfigureAwait(false);
        var signature = Convert.ToHexStringLower(signatureBytes);
        var authorization = SigV4.Authorization(algorithm, X509SignatureFormat.SerialDecimal(signer.Certificate), scope, signedHeaders, signature);
        added.Add(new("Authorization", authorization));

        return new SigV4Signature
        {
            Algorithm = algorithm,
            CanonicalRequest = canonicalRequest,
            StringToSign = stringToSign,
            Signature = signature,
            SignedHeaders = signedHeaders,
            Authorization = authorization,
            HeadersToAdd = added,
        };
    }
}

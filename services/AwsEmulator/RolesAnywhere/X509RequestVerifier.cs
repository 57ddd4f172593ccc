using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AwsEmulator.Seed;
using AwsEmulator.SigV4;
using AwsEmulator.Wire;

namespace AwsEmulator.RolesAnywhere;

/// <summary>The signer of a verified CreateSession request.</summary>
internal sealed record X509Signer(X509Certificate2 Certificate, string SerialDecimal, DateTimeOffset SignedAt);

/// <summary>
/// IAM Roles Anywhere request authentication ("SigV4 with the certificate's key": AWS4-X509-RSA-SHA256 and
/// AWS4-X509-ECDSA-SHA256), rebuilt from the wire and checked with the X-Amz-X509 certificate, then the certificate
/// chain (with X-Amz-X509-Chain intermediates) validated to the trust anchor's CA.
/// </summary>
internal sealed class X509RequestVerifier(TimeProvider time, bool ignoreValidityTimes)
{
    public const string RsaAlgorithm = "AWS4-X509-RSA-SHA256";
    public const string EcdsaAlgorithm = "AWS4-X509-ECDSA-SHA256";
    public const string Untrusted = "Untrusted Signing Certificate";
    public const string InvalidSignature = "Invalid signature";

    private static readonly string[] RequiredSignedHeaders = ["content-type", "host", "x-amz-date", "x-amz-x509"];

    /// <summary>Checks the signature against the certificate the request carries. Throws AccessDenied/Validation errors.</summary>
    public X509Signer VerifySignature(WireRequest request, string expectedRegion)
    {
        var authorization = request.Header("Authorization") ?? throw Denied("Missing Authentication Token");
        var auth = AuthorizationHeader.TryParse(authorization, out var parseError) ?? throw Validation(parseError);
        if (auth.Algorithm is not (RsaAlgorithm or EcdsaAlgorithm))
        {
            throw Validation($"Unsupported signing algorithm '{auth.Algorithm}': use {RsaAlgorithm} or {EcdsaAlgorithm}.");
        }

        var certificate = ParseCertificate(request.Header("X-Amz-X509")) ?? throw Validation("Missing or malformed X-Amz-X509 header.");
        var chainHeader = request.Header("X-Amz-X509-Chain");
        if (chainHeader is not null && string.IsNullOrWhiteSpace(chainHeader))
        {
            // AWS refuses an empty chain header: clients must leave it out when there are no intermediates.
            throw Validation("Invalid X-Amz-X509-Chain header: it is empty. Leave the header out when there are no intermediate certificates.");
        }

        var mustSign = chainHeader is null ? RequiredSignedHeaders : [.. RequiredSignedHeaders, "x-amz-x509-chain"];
        if (mustSign.Except(auth.SignedHeaders).Any())
        {
            throw Denied(InvalidSignature);
        }

        var amzDate = request.Header("X-Amz-Date");
        if (!SigV4Canonicalizer.TryParseAmzDate(amzDate, out var signedAt) || auth.ScopeDate != amzDate![..8])
        {
            throw Validation("Missing or malformed X-Amz-Date header.");
        }

        var now = time.GetUtcNow();
        if ((now - signedAt).Duration() > SigV4Verifier.MaxSkew)
        {
            throw Denied($"Signature expired: {amzDate} is outside the 5 minute window around the server time {now.UtcDateTime.ToString(SigV4Canonicalizer.DateFormat, CultureInfo.InvariantCulture)}");
        }

        if (auth.Service != "rolesanywhere")
        {
            throw Denied(InvalidSignature);
        }

        if (auth.Region != expectedRegion)
        {
            throw Validation($"Region mismatch: the request is signed for '{auth.Region}' but the trust anchor is in '{expectedRegion}'.");
        }

        var serial = SerialDecimal(certificate);
        if (auth.CredentialId != serial)
        {
            throw Denied(InvalidSignature);
        }

        var canonical = SigV4Canonicalizer.CanonicalRequest(request, auth.SignedHeaders, null, normalizePath: true);
        var stringToSign = Encoding.UTF8.GetBytes(SigV4Canonicalizer.StringToSign(auth.Algorithm, amzDate!, auth.Scope, canonical));
        byte[] signature;
        try
        {
            signature = Convert.FromHexString(auth.Signature);
        }
        catch (FormatException)
        {
            throw Denied(InvalidSignature);
        }

        // The algorithm must follow the key type; a mismatch is a bad signature, not a different scheme.
        var valid = auth.Algorithm switch
        {
            RsaAlgorithm when certificate.GetRSAPublicKey() is { } rsa => Using(rsa, k => k.VerifyData(stringToSign, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)),
            EcdsaAlgorithm when certificate.GetECDsaPublicKey() is { } ec => Using(ec, k => k.VerifyData(stringToSign, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
            _ => false,
        };
        return valid ? new X509Signer(certificate, serial, signedAt) : throw Denied(InvalidSignature);
    }

    /// <summary>
    /// The certificate must chain to one of the anchor's CA certificates (intermediates from X-Amz-X509-Chain only),
    /// be within its validity period, and allow digitalSignature when it states key usage at all (RFC 5280 §4.2.1.3).
    /// </summary>
    public void ValidateChain(X509Signer signer, WireRequest request, TrustAnchor anchor)
    {
        var leaf = signer.Certificate;
        var usage = leaf.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (usage is not null && !usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            throw Denied(Untrusted);
        }

        var now = time.GetUtcNow();
        if (!ignoreValidityTimes && (now < leaf.NotBefore.ToUniversalTime() || now > leaf.NotAfter.ToUniversalTime()))
        {
            throw Denied(Untrusted);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(anchor.Certificates.ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (ignoreValidityTimes)
        {
            chain.ChainPolicy.VerificationFlags |= X509VerificationFlags.IgnoreNotTimeValid | X509VerificationFlags.IgnoreCtlNotTimeValid;
        }

        var intermediates = new List<X509Certificate2>();
        try
        {
            foreach (var part in (request.Header("X-Amz-X509-Chain") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                intermediates.Add(ParseCertificate(part) ?? throw Validation("Malformed certificate in X-Amz-X509-Chain."));
            }

            chain.ChainPolicy.ExtraStore.AddRange(intermediates.ToArray());
            if (!chain.Build(leaf))
            {
                throw Denied(Untrusted);
            }

            var root = chain.ChainElements[^1].Certificate;
            if (!anchor.Certificates.Any(a => a.RawDataMemory.Span.SequenceEqual(root.RawDataMemory.Span)))
            {
                throw Denied(Untrusted);
            }
        }
        finally
        {
            foreach (var certificate in intermediates)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>The serial as an unsigned big-endian integer in decimal, as the Credential field carries it.</summary>
    public static string SerialDecimal(X509Certificate2 certificate) =>
        new BigInteger(certificate.SerialNumberBytes.Span, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);

    public static AwsErrorException Denied(string message) => new(new AwsError("AccessDeniedException", 403, message, true));

    public static AwsErrorException Validation(string message) => new(new AwsError("ValidationException", 400, message, true));

    private static X509Certificate2? ParseCertificate(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
        {
            return null;
        }

        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(base64.Trim()));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return null;
        }
    }

    private static bool Using<T>(T key, Func<T, bool> verify)
        where T : IDisposable
    {
        using (key)
        {
            return verify(key);
        }
    }
}

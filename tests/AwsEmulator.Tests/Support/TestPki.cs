using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AwsEmulator.Tests.Support;

/// <summary>Certificates the Roles Anywhere tests generate: roots, intermediates and leaves with chosen flaws.</summary>
public static class TestPki
{
    public static X509Certificate2 Root(string name, DateTimeOffset now, bool rsa = false)
    {
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request($"CN={name}", key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(now.AddDays(-30), now.AddYears(2));
    }

    public static X509Certificate2 Intermediate(X509Certificate2 issuer, string name, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request($"CN={name}", key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = Issue(request, issuer, now.AddDays(-10), now.AddYears(1));
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>An end-entity certificate with its private key; <paramref name="keyUsage"/> null leaves the extension out.</summary>
    public static X509Certificate2 Leaf(X509Certificate2 issuer, AsymmetricAlgorithm key, DateTimeOffset notBefore, DateTimeOffset notAfter,
        X509KeyUsageFlags? keyUsage = X509KeyUsageFlags.DigitalSignature, string subject = "CN=test-client")
    {
        var request = Request(subject, key);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        if (keyUsage is { } usage)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, true));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        using var issued = Issue(request, issuer, notBefore, notAfter);
        return key switch
        {
            RSA rsa => issued.CopyWithPrivateKey(rsa),
            ECDsa ec => issued.CopyWithPrivateKey(ec),
            _ => throw new ArgumentException("RSA or ECDSA", nameof(key)),
        };
    }

    private static CertificateRequest Request(string subject, AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
        _ => throw new ArgumentException("RSA or ECDSA", nameof(key)),
    };

    private static X509Certificate2 Issue(CertificateRequest request, X509Certificate2 issuer, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        X509SignatureGenerator generator = issuer.GetECDsaPrivateKey() is { } ec
            ? X509SignatureGenerator.CreateForECDsa(ec)
            : X509SignatureGenerator.CreateForRSA(issuer.GetRSAPrivateKey()!, RSASignaturePadding.Pkcs1);
        return request.Create(issuer.SubjectName, generator, notBefore, notAfter, serial);
    }
}

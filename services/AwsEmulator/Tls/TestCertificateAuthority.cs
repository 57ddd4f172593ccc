using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AwsEmulator.Tls;

/// <summary>
/// A throwaway certificate authority generated at start: it signs the HTTPS server certificate, and (for the demo
/// seed) a Roles Anywhere client certificate. Its PEM is written out so clients can trust exactly it.
/// </summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(X509Certificate2 certificate) => Certificate = certificate;

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public string CertificatePem => Certificate.ExportCertificatePem();

    /// <summary>The CA's private key as PKCS#8 PEM (the demo writes it so operators can issue rotation certificates).</summary>
    public string PrivateKeyPem
    {
        get
        {
            using var key = Certificate.GetECDsaPrivateKey()!;
            return key.ExportPkcs8PrivateKeyPem();
        }
    }

    public static TestCertificateAuthority Create(string commonName, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 1, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        return new TestCertificateAuthority(request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5)));
    }

    /// <summary>A TLS server certificate for the given DNS names and IP addresses, with its key, usable by Kestrel.</summary>
    public X509Certificate2 IssueServerCertificate(IEnumerable<string> hosts, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=aws-emulator", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                names.AddIpAddress(address);
            }
            else
            {
                names.AddDnsName(host);
            }
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        return Sign(request, key, time, TimeSpan.FromDays(365));
    }

    /// <summary>A Roles Anywhere end-entity certificate (digitalSignature) for an RSA or EC key.</summary>
    public X509Certificate2 IssueClientCertificate(string subject, AsymmetricAlgorithm key, TimeProvider time, TimeSpan lifetime)
    {
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or ECDSA key expected", nameof(key)),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = time.GetUtcNow();
        return IssueWithCaKey(request, now.AddMinutes(-5), now + lifetime);
    }

    /// <summary>Signs with the CA's EC key whatever the subject key type (CertificateRequest.Create(issuer, ...) needs matching types).</summary>
    private X509Certificate2 IssueWithCaKey(CertificateRequest request, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        using var caKey = Certificate.GetECDsaPrivateKey()!;
        return request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), notBefore, notAfter, RandomSerial());
    }

    public void Dispose() => Certificate.Dispose();

    private X509Certificate2 Sign(CertificateRequest request, ECDsa key, TimeProvider time, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        using var issued = IssueWithCaKey(request, now.AddMinutes(-5), now + lifetime);
        using var withKey = issued.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the key is a persisted one, which Kestrel's TLS stack requires on some platforms.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // positive, as RFC 5280 requires
        return serial;
    }
}

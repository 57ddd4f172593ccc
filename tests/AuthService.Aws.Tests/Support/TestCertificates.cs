using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Aws.Tests.Support;

/// <summary>Throw-away CA, intermediate and end-entity certificates made at test time.</summary>
internal static class TestCertificates
{
    public static (X509Certificate2 Certificate, RSA Key) Rsa(string subject = "CN=rsa-leaf", int bits = 2048)
    {
        var key = RSA.Create(bits);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return (SelfSigned(request), key);
    }

    public static (X509Certificate2 Certificate, ECDsa Key) Ec(ECCurve curve, string subject = "CN=ec-leaf")
    {
        var key = ECDsa.Create(curve);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return (SelfSigned(request), key);
    }

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem();

    private static X509Certificate2 SelfSigned(CertificateRequest request)
    {
        var now = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var withKey = request.CreateSelfSigned(now, now.AddYears(30));
        // Keep only the public certificate: the tests load keys from files, as production does.
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }
}

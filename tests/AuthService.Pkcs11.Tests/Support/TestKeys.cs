using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Pkcs11.Modules;

namespace AuthService.Pkcs11.Tests.Support;

/// <summary>Keys and certificates generated at run time (nothing is copied in).</summary>
internal static class TestKeys
{
    public const string Password = "file-password-1";

    public static byte[] Pem(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>The key in one of the formats of the setup procedure's table.</summary>
    public static byte[] Export(AsymmetricAlgorithm key, string format) => (key, format) switch
    {
        (_, "pkcs8") => Pem(key.ExportPkcs8PrivateKeyPem()),
        (_, "pkcs8-der") => key.ExportPkcs8PrivateKey(),
        (_, "encrypted-pkcs8") => Pem(key.ExportEncryptedPkcs8PrivateKeyPem(Password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000))),
        (RSA rsa, "pkcs1") => Pem(rsa.ExportRSAPrivateKeyPem()),
        (ECDsa ec, "sec1") => Pem(ec.ExportECPrivateKeyPem()),
        _ => throw new ArgumentException(format),
    };

    public static AsymmetricAlgorithm Create(string algorithm) => algorithm switch
    {
        "rsa2048" => RSA.Create(2048),
        "p256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        "p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        _ => throw new ArgumentException(algorithm),
    };

    public static X509Certificate2 SelfSigned(AsymmetricAlgorithm key, string cn = "ra-client")
    {
        var subject = new X500DistinguishedName($"CN={cn}");
        CertificateRequest request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or ECDsa expected", nameof(key)),
        };
        using X509Certificate2 withKey = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }
}

/// <summary>The module a suite runs against: SoftHSM directly, or the same SoftHSM through the p11-kit proxy.</summary>
internal static class TestModules
{
    private static readonly Lazy<Pkcs11Module> Proxy = new(() =>
    {
        _ = SoftHsm.Module;
        Pkcs11Module proxy = Pkcs11Module.Open(SoftHsm.ProxyPath);
        // C_Finalize of the proxy would finalize the SoftHSM shared with the direct tests: never re-initialize it.
        proxy.AutoReinitializeInterval = TimeSpan.MaxValue;
        return proxy;
    });

    public static Pkcs11Module Get(string which) => which switch
    {
        "direct" => SoftHsm.Module,
        "proxy" => Proxy.Value,
        _ => throw new ArgumentException(which),
    };
}

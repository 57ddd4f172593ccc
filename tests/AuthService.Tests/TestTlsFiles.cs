using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Tests;

/// <summary>
/// A private CA, a localhost server certificate and a client certificate for TLS tests: ca.pem, server.pem and
/// server.key are written to a directory (as an operator would mount them); the client certificate, with its
/// key, stays in memory for the test's client.
/// </summary>
internal sealed class TestTlsFiles : IDisposable
{
    private TestTlsFiles(X509Certificate2 authority, X509Certificate2 client)
    {
        Authority = authority;
        Client = client;
    }

    public X509Certificate2 Authority { get; }

    public X509Certificate2 Client { get; }

    public static async Task<TestTlsFiles> WriteAsync(string directory, string clientSubject = "CN=connector-1")
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=TLS Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var authority = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), authority.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        using var server = serverRequest.Create(authority, now.AddMinutes(-5), now.AddHours(23), RandomNumberGenerator.GetBytes(8));
        await File.WriteAllTextAsync(Path.Combine(directory, "server.pem"), server.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest(clientSubject, clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var client = clientRequest.Create(authority, now.AddMinutes(-5), now.AddHours(23), RandomNumberGenerator.GetBytes(8));
        return new TestTlsFiles(authority, X509CertificateLoader.LoadPkcs12(client.CopyWithPrivateKey(clientKey).Export(X509ContentType.Pkcs12), null));
    }

    public void Dispose()
    {
        Authority.Dispose();
        Client.Dispose();
    }
}

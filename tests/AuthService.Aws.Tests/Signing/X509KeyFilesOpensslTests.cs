using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Aws.Signing;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Signing;

/// <summary>Key files written by openssl (not by .NET), as operators make them.</summary>
public class X509KeyFilesOpensslTests
{
    [OpensslFact]
    public async Task LoadSigner_OpensslEcparamKeyAndEncryptedPkcs8_BothSignVerifiably()
    {
        // Arrange: 'openssl ecparam -genkey' (SEC1 with EC PARAMETERS), a certificate for it, and the same key as
        // encrypted PKCS#8 (openssl's default PBES2 scheme).
        using var directory = new TempDirectory();
        var sec1 = directory.File("ec.key");
        var certificate = directory.File("ec.crt");
        var encrypted = directory.File("ec-encrypted.key");
        var passwordFile = directory.File("password.txt", "s3cret-pass");
        Openssl.MustRun("ecparam", "-name", "prime256v1", "-genkey", "-out", sec1);
        Openssl.MustRun("req", "-new", "-x509", "-key", sec1, "-subj", "/CN=openssl-ec", "-days", "30", "-out", certificate);
        Openssl.MustRun("pkcs8", "-topk8", "-in", sec1, "-out", encrypted, "-passout", "file:" + passwordFile);

        // Act
        using var fromSec1 = X509KeyFiles.LoadSigner(certificate, sec1);
        using var fromEncrypted = X509KeyFiles.LoadSigner(certificate, encrypted, "s3cret-pass");
        var request = new SigV4Request { Method = "POST", Path = "/sessions", Headers = [new("Host", "rolesanywhere.eu-west-1.amazonaws.com")] };
        var signature = await SigV4X509Signer.SignHeadersAsync(request, fromEncrypted, [], "eu-west-1", "rolesanywhere", DateTimeOffset.UnixEpoch);

        // Assert
        Assert.StartsWith("-----BEGIN EC PARAMETERS-----", await File.ReadAllTextAsync(sec1), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", await File.ReadAllTextAsync(encrypted), StringComparison.Ordinal);
        Assert.Equal(X509SigningAlgorithm.Ecdsa, fromSec1.Algorithm);
        using var publicKey = fromEncrypted.Certificate.GetECDsaPublicKey()!;
        Assert.True(publicKey.VerifyData(Encoding.UTF8.GetBytes(signature.StringToSign), Convert.FromHexString(signature.Signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [OpensslFact]
    public void LoadSigner_OpensslTraditionalRsaKey_LoadsAsPkcs1()
    {
        // Arrange
        using var directory = new TempDirectory();
        var key = directory.File("rsa.key");
        var certificate = directory.File("rsa.crt");
        Openssl.MustRun("genrsa", "-traditional", "-out", key, "2048");
        Openssl.MustRun("req", "-new", "-x509", "-key", key, "-subj", "/CN=openssl-rsa", "-days", "30", "-out", certificate);

        // Act
        using var signer = X509KeyFiles.LoadSigner(certificate, key);

        // Assert
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", File.ReadAllText(key), StringComparison.Ordinal);
        Assert.Equal(X509SigningAlgorithm.Rsa, signer.Algorithm);
    }
}

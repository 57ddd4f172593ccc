using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Aws.Signing;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Signing;

/// <summary>Every key file form the helper accepts, and SigV4-X509 signatures that verify with the certificate.</summary>
public class X509KeyFilesTests
{
    private const string Password = "correct horse battery staple";

    private static readonly PbeParameters Pbes2 = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000);

    public static TheoryData<string> KeyForms() => new()
    {
        "rsa-pkcs8", "rsa-pkcs1", "rsa-encrypted-pkcs8", "ec256-pkcs8", "ec256-sec1", "ec384-sec1", "ec384-encrypted-pkcs8",
    };

    [Theory]
    [MemberData(nameof(KeyForms))]
    public async Task LoadSigner_PemKeyForm_SignsWhatTheCertificateVerifies(string form)
    {
        // Arrange
        using var directory = new TempDirectory();
        var (certificate, keyPem, algorithm) = MakeKeyFile(form);
        var certificatePath = directory.File("client.crt", TestCertificates.Pem(certificate));
        var keyPath = directory.File("client_private.key", keyPem);

        // Act
        using var signer = X509KeyFiles.LoadSigner(certificatePath, keyPath, form.Contains("encrypted", StringComparison.Ordinal) ? Password : null);
        var signature = await SignSampleAsync(signer);

        // Assert
        Assert.Equal(algorithm, signer.Algorithm);
        Assert.StartsWith(X509SignatureFormat.AlgorithmName(algorithm) + " Credential=" + X509SignatureFormat.SerialDecimal(certificate) + "/", signature.Authorization, StringComparison.Ordinal);
        Assert.True(Verify(certificate, signature), $"the {form} signature does not verify with the certificate's public key");
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ec")]
    public async Task LoadSigner_Pkcs12WithEmptyPassword_LoadsCertificateAndKey(string kind)
    {
        // Arrange
        using var directory = new TempDirectory();
        byte[] pfx;
        X509Certificate2 certificate;
        if (kind == "rsa")
        {
            var (c, key) = TestCertificates.Rsa();
            using (key)
            {
                using var withKey = c.CopyWithPrivateKey(key);
                pfx = withKey.Export(X509ContentType.Pkcs12, string.Empty);
                certificate = c;
            }
        }
        else
        {
            var (c, key) = TestCertificates.Ec(ECCurve.NamedCurves.nistP256);
            using (key)
            {
                using var withKey = c.CopyWithPrivateKey(key);
                pfx = withKey.Export(X509ContentType.Pkcs12, string.Empty);
                certificate = c;
            }
        }

        var path = Path.Combine(directory.Path, "client.p12");
        await File.WriteAllBytesAsync(path, pfx);

        // Act
        using var signer = X509KeyFiles.LoadSigner(path, privateKeyPath: null);
        var signature = await SignSampleAsync(signer);

        // Assert
        Assert.Equal(certificate.Thumbprint, signer.Certificate.Thumbprint);
        Assert.True(Verify(certificate, signature));
    }

    [Fact]
    public void LoadSigner_EncryptedKeyWithoutPassword_SaysToPassPkcs8Password()
    {
        // Arrange
        using var directory = new TempDirectory();
        var (certificate, keyPem, _) = MakeKeyFile("rsa-encrypted-pkcs8");
        var certificatePath = directory.File("c.crt", TestCertificates.Pem(certificate));
        var keyPath = directory.File("k.key", keyPem);

        // Act
        var error = Assert.Throws<X509KeyFileException>(() => X509KeyFiles.LoadSigner(certificatePath, keyPath));

        // Assert
        Assert.Contains("--pkcs8-password", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSigner_WrongPassword_ErrorDoesNotEchoPassword()
    {
        // Arrange
        using var directory = new TempDirectory();
        var (certificate, keyPem, _) = MakeKeyFile("rsa-encrypted-pkcs8");
        var certificatePath = directory.File("c.crt", TestCertificates.Pem(certificate));
        var keyPath = directory.File("k.key", keyPem);
        const string wrong = "wrong-password-value";

        // Act
        var error = Assert.Throws<X509KeyFileException>(() => X509KeyFiles.LoadSigner(certificatePath, keyPath, wrong));

        // Assert
        Assert.Contains("--pkcs8-password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSigner_KeyOfAnotherCertificate_SaysKeyDoesNotBelong()
    {
        // Arrange
        using var directory = new TempDirectory();
        var (certificate, _, _) = MakeKeyFile("rsa-pkcs8");
        var (_, otherKeyPem, _) = MakeKeyFile("rsa-pkcs8");
        var certificatePath = directory.File("c.crt", TestCertificates.Pem(certificate));
        var keyPath = directory.File("k.key", otherKeyPem);

        // Act
        var error = Assert.Throws<X509KeyFileException>(() => X509KeyFiles.LoadSigner(certificatePath, keyPath));

        // Assert
        Assert.Contains("does not belong to the certificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadSigner_MissingFile_NamesThePath()
    {
        // Arrange
        var missing = Path.Combine(Path.GetTempPath(), "authservice-missing-" + Guid.NewGuid().ToString("N") + ".crt");

        // Act
        var error = Assert.Throws<X509KeyFileException>(() => X509KeyFiles.LoadSigner(missing, missing + ".key"));

        // Assert
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignHeadersAsync_WithIntermediates_SendsCommaJoinedChainAndSignsIt()
    {
        // Arrange
        var (certificate, key) = TestCertificates.Ec(ECCurve.NamedCurves.nistP256);
        var (intermediate1, k1) = TestCertificates.Rsa("CN=intermediate-1");
        var (intermediate2, k2) = TestCertificates.Rsa("CN=intermediate-2");
        k1.Dispose();
        k2.Dispose();
        using var signer = new FileX509Signer(certificate, key);

        // Act
        var signature = await SigV4X509Signer.SignHeadersAsync(SampleRequest(), signer, [intermediate1, intermediate2], "us-east-1", "rolesanywhere", DateTimeOffset.UnixEpoch);

        // Assert
        var chain = signature.HeadersToAdd.Single(h => h.Key == "X-Amz-X509-Chain").Value;
        Assert.Equal(Convert.ToBase64String(intermediate1.RawData) + "," + Convert.ToBase64String(intermediate2.RawData), chain);
        Assert.Equal("content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain", signature.SignedHeaders);
    }

    [Fact]
    public void EcdsaRawToDer_HalvesWithLeadingZeros_EncodesMinimalIntegers()
    {
        // Arrange: r = 0x00..01, s = 0x80 followed by zeros (needs a sign byte in DER).
        var raw = new byte[64];
        raw[31] = 1;
        raw[32] = 0x80;

        // Act
        var der = X509SignatureFormat.EcdsaRawToDer(raw);

        // Assert
        Assert.Equal(new byte[] { 0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, 0x80 }, der[..9]);
        Assert.Equal(40, der.Length);
    }

    [Fact]
    public void EcdsaRawToDer_ManyP1363Signatures_AllVerifyAsDer()
    {
        // Arrange: enough signatures that some halves start with zero bytes.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var data = "string to sign"u8.ToArray();

        for (var i = 0; i < 300; i++)
        {
            // Act
            var der = X509SignatureFormat.EcdsaRawToDer(key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

            // Assert
            Assert.True(key.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }
    }

    [Fact]
    public void EcdsaRawToDer_P1363Signature_VerifiesAsDer()
    {
        // Arrange: a token's CKM_ECDSA returns r || s (IEEE P1363).
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var data = "string to sign"u8.ToArray();
        var raw = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        // Act
        var der = X509SignatureFormat.EcdsaRawToDer(raw);

        // Assert
        Assert.Equal(0x30, der[0]);
        Assert.True(key.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    private static SigV4Request SampleRequest() => new()
    {
        Method = "POST",
        Path = "/sessions",
        Query = [new("profileArn", "arn:aws:rolesanywhere:us-east-1:123456789012:profile/p"), new("roleArn", "arn:aws:iam::123456789012:role/r"), new("trustAnchorArn", "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/t")],
        Headers = [new("Content-Type", "application/json"), new("Host", "rolesanywhere.us-east-1.amazonaws.com")],
        Body = Encoding.UTF8.GetBytes("""{"durationSeconds":3600}"""),
    };

    private static Task<SigV4Signature> SignSampleAsync(IX509Signer signer) =>
        SigV4X509Signer.SignHeadersAsync(SampleRequest(), signer, [], "us-east-1", "rolesanywhere", new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private static bool Verify(X509Certificate2 certificate, SigV4Signature signature)
    {
        var data = Encoding.UTF8.GetBytes(signature.StringToSign);
        var bytes = Convert.FromHexString(signature.Signature);
        using var rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return rsa.VerifyData(data, bytes, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        using var ec = certificate.GetECDsaPublicKey()!;
        return ec.VerifyData(data, bytes, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    private static (X509Certificate2 Certificate, string KeyPem, X509SigningAlgorithm Algorithm) MakeKeyFile(string form)
    {
        if (form.StartsWith("rsa", StringComparison.Ordinal))
        {
            var (certificate, key) = TestCertificates.Rsa();
            using (key)
            {
                var pem = form switch
                {
                    "rsa-pkcs8" => key.ExportPkcs8PrivateKeyPem(),
                    "rsa-pkcs1" => key.ExportRSAPrivateKeyPem(),
                    _ => key.ExportEncryptedPkcs8PrivateKeyPem(Password, Pbes2),
                };
                return (certificate, pem, X509SigningAlgorithm.Rsa);
            }
        }

        var curve = form.StartsWith("ec384", StringComparison.Ordinal) ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256;
        var (ecCertificate, ecKey) = TestCertificates.Ec(curve);
        using (ecKey)
        {
            var pem = form.EndsWith("-pkcs8", StringComparison.Ordinal) && !form.Contains("encrypted", StringComparison.Ordinal)
                ? ecKey.ExportPkcs8PrivateKeyPem()
                : form.EndsWith("sec1", StringComparison.Ordinal)
                    // openssl ecparam -genkey writes EC PARAMETERS before the key: the loader must skip it.
                    ? "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n" + ecKey.ExportECPrivateKeyPem()
                    : ecKey.ExportEncryptedPkcs8PrivateKeyPem(Password, Pbes2);
            return (ecCertificate, pem, X509SigningAlgorithm.Ecdsa);
        }
    }
}

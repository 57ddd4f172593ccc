using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tests.Tokens;

/// <summary>ListObjects (the operator's view) and SetObjectAttributes (re-id/relabel for key rotation).</summary>
public class ObjectAttributeTests
{
    [SoftHsmFact]
    public void ListObjects_ImportedKeyAndCertificate_FlagsAndCertificateButNoKeyMaterial()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("list");
        using (token)
        {
            using var rsa = RSA.Create(2048);
            token.ImportPrivateKey(System.Text.Encoding.ASCII.GetBytes(rsa.ExportPkcs8PrivateKeyPem()), "ra-key", [0x01]);
            var request = new CertificateRequest("CN=listed", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            token.ImportCertificate(cert.RawData, "ra-cert", [0x01]);

            // Act
            IReadOnlyList<Pkcs11ObjectDetails> objects = token.ListObjects();

            // Assert
            Pkcs11ObjectDetails key = Assert.Single(objects, o => o.Class == Pkcs11ObjectClass.PrivateKey);
            Assert.Equal((true, false, true, 2048, "01"), (key.Sensitive, key.Extractable, key.Private, key.KeySizeBits, key.IdHex));
            Assert.Null(key.CertificateDer);
            Pkcs11ObjectDetails pub = Assert.Single(objects, o => o.Class == Pkcs11ObjectClass.PublicKey);
            Assert.Null(pub.Sensitive);
            Pkcs11ObjectDetails certificate = Assert.Single(objects, o => o.Class == Pkcs11ObjectClass.Certificate);
            Assert.Equal(cert.RawData, certificate.CertificateDer);
        }
    }

    [SoftHsmFact]
    public void SetObjectAttributes_NewIdAndLabelOnNonExtractableKey_KeyFoundUnderTheNewNamesAndStillSigns()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("reid");
        using (token)
        {
            token.GenerateEcKeyPair("ra-key.new", [0x7E, 0x01], ECCurve.NamedCurves.nistP256);

            // Act
            int moved = token.SetObjectAttributes(new Pkcs11Uri { Id = [0x7E, 0x01] }, null, [0x01]);
            int relabelled = token.SetObjectAttributes(new Pkcs11Uri { ObjectLabel = "ra-key.new", Id = [0x01] }, "ra-key", default);

            // Assert
            Assert.Equal(2, moved);
            Assert.Equal(2, relabelled);
            Assert.Empty(token.FindObjects(new Pkcs11Uri { Id = [0x7E, 0x01] }));
            Pkcs11PrivateKey key = token.GetPrivateKey(new Pkcs11Uri { ObjectLabel = "ra-key", Id = [0x01] });
            byte[] data = RandomNumberGenerator.GetBytes(16);
            Assert.True(key.VerifyData(data, key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256), Pkcs11SignatureAlgorithm.EcdsaSha256));
        }
    }

    [SoftHsmFact]
    public void SetObjectAttributes_NoLabelOrId_Refused()
    {
        var (token, _, _) = SoftHsm.NewToken("refuse");
        using (token)
        {
            Assert.Throws<ArgumentException>(() => token.SetObjectAttributes(new Pkcs11Uri(), "x", default));
        }
    }
}

using System.Security.Cryptography;
using System.Text;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tests.Security;

/// <summary>Nothing secret leaves: PINs and key material never appear in messages or ToString, keys never export.</summary>
public class SecretHandlingTests
{
    [SoftHsmFact]
    public void OpenToken_WrongPinValueInUri_ExceptionTextHasNoPin()
    {
        // Arrange
        string label = SoftHsm.NewLabel("leak");
        SoftHsm.InitializeToken(SoftHsm.Module, label, "correct-pin-77");
        const string wrongPin = "Wr0ng-PIN-secret-9131";
        var uri = Pkcs11Uri.Parse($"pkcs11:token={label};object=ra-key;id=%01?pin-value={wrongPin}");

        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => SoftHsm.Module.OpenToken(uri));

        // Assert
        Assert.Equal("CKR_PIN_INCORRECT", e.CkrName);
        Assert.DoesNotContain(wrongPin, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPin, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("correct-pin-77", e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrongPin, uri.ToString(), StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void ObjectNotFound_UriWithPin_MessageHasNoPin()
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("leak2");
        using (token)
        {
            var uri = Pkcs11Uri.Parse($"pkcs11:token={label};object=missing;type=cert?pin-value={pin}");

            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => token.GetCertificateDer(uri));

            // Assert
            Assert.DoesNotContain(pin, e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(pin, token.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ImportPrivateKey_UnreadableKey_MessageHasNoKeyContent()
    {
        // Arrange: a PEM whose body is garbage but recognisable.
        const string body = "U0VDUkVULUtFWS1NQVRFUklBTC1ET05PVExFQUs=";
        byte[] pem = Encoding.ASCII.GetBytes($"-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");

        // Act
        var e = Assert.ThrowsAny<Exception>(() => PrivateKeyReader.Read(pem, default));

        // Assert
        var p11 = Assert.IsType<Pkcs11Exception>(e);
        Assert.Equal(Pkcs11ErrorKind.InvalidInput, p11.Kind);
        Assert.DoesNotContain(body, e.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET-KEY", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ImportPrivateKey_EncryptedWithoutPassword_AsksForPassword()
    {
        // Arrange
        using RSA rsa = RSA.Create(2048);
        byte[] pem = TestKeys.Export(rsa, "encrypted-pkcs8");

        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => PrivateKeyReader.Read(pem, default));
        var wrong = Assert.Throws<Pkcs11Exception>(() => PrivateKeyReader.Read(pem, "not-the-password"));

        // Assert
        Assert.Contains("password", e.Message, StringComparison.Ordinal);
        Assert.Contains("wrong password", wrong.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", wrong.ToString(), StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void ImportedKey_ReadPrivateValue_IsAttributeSensitive()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("sensitive");
        using (token)
        using (RSA rsa = RSA.Create(2048))
        using (ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            Pkcs11PrivateKey rsaKey = token.ImportPrivateKey(TestKeys.Export(rsa, "pkcs8"), "rsa", [0x01]);
            Pkcs11PrivateKey ecKey = token.ImportPrivateKey(TestKeys.Export(ec, "pkcs8"), "ec", [0x02]);
            Pkcs11PrivateKey generated = token.GenerateEcKeyPair("gen", [0x03], ECCurve.NamedCurves.nistP256);

            // Act
            var results = token.Run(s => new[]
            {
                (s.TryGetAttributeLength(rsaKey.Handle(s), Cka.PrivateExponent, out ulong l1), l1),
                (s.TryGetAttributeLength(rsaKey.Handle(s), Cka.Prime1, out ulong l2), l2),
                (s.TryGetAttributeLength(ecKey.Handle(s), Cka.Value, out ulong l3), l3),
                (s.TryGetAttributeLength(generated.Handle(s), Cka.Value, out ulong l4), l4),
            });
            byte[]?[] modulus = token.Run(s => s.GetAttributes(rsaKey.Handle(s), Cka.Modulus, Cka.PrivateExponent));
            ulong setExtractable = token.Run(s =>
            {
                using var t = new AttributeTemplate();
                t.Add(Cka.Extractable, true);
                unsafe
                {
                    return token.Module.Functions->C_SetAttributeValue(s.Handle, rsaKey.Handle(s), t.Pointer, 1);
                }
            });

            // Assert
            foreach ((ulong rv, ulong length) in results)
            {
                Assert.Equal(Ckr.AttributeSensitive, rv);
                Assert.Equal(CkConstants.UnavailableInformation, length);
            }

            Assert.Equal(256, modulus[0]!.Length);
            Assert.Null(modulus[1]);
            Assert.Equal(0x10UL, setExtractable); // CKR_ATTRIBUTE_READ_ONLY: protection is one-way
        }
    }

    [Fact]
    public void ToString_UriTokenAndKeyTypes_NeverCarrySecrets()
    {
        // Arrange
        var uri = new Pkcs11Uri { Token = "t", ObjectLabel = "k", PinValue = "pin-in-memory-55" };

        // Act
        string text = uri.ToString();

        // Assert
        Assert.DoesNotContain("pin-in-memory-55", text, StringComparison.Ordinal);
        Assert.Equal("pkcs11:token=t;object=k", text);
    }
}

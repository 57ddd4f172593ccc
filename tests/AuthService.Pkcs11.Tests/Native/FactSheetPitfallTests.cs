using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Tests.Native;

/// <summary>The fact sheet's pitfalls that are not already covered by the operation tests (see docs/pkcs11.md).</summary>
public class FactSheetPitfallTests
{
    [SoftHsmFact]
    public void SignData_EmptyData_IsARealSignNotASizeQuery()
    {
        // Arrange: "fixed" over an empty array yields a null pointer, which would turn C_Sign into a size query.
        var (token, _, _) = SoftHsm.NewToken("empty");
        using (token)
        using (RSA rsa = RSA.Create(2048))
        {
            Pkcs11PrivateKey key = token.ImportPrivateKey(TestKeys.Export(rsa, "pkcs8"), "k", [0x01]);

            // Act
            byte[] signature = key.SignData([], Pkcs11SignatureAlgorithm.RsaPkcs1Sha256);

            // Assert
            Assert.True(rsa.VerifyData(Array.Empty<byte>(), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }
    }

    [SoftHsmFact]
    public void GetAttributes_MixedTemplate_FillsAvailableAndNullsSensitiveAndInvalid()
    {
        // Arrange: the return code summarises (CKR_ATTRIBUTE_SENSITIVE) but the modulus is still filled.
        var (token, _, _) = SoftHsm.NewToken("mixed");
        using (token)
        using (RSA rsa = RSA.Create(2048))
        {
            Pkcs11PrivateKey key = token.ImportPrivateKey(TestKeys.Export(rsa, "pkcs8"), "k", [0x01]);

            // Act
            byte[]?[] values = token.Run(s => s.GetAttributes(key.Handle(s), Cka.Modulus, Cka.PrivateExponent, Cka.EcPoint, Cka.Label));

            // Assert
            Assert.Equal(rsa.ExportParameters(false).Modulus, values[0]);
            Assert.Null(values[1]);
            Assert.Null(values[2]);
            Assert.Equal("k"u8.ToArray(), values[3]);
        }
    }

    [SoftHsmFact]
    public void ImportEcKey_PublicObject_EcPointIsDerOctetString()
    {
        // Arrange: SoftHSM accepts a raw point on C_CreateObject and then fails every verification.
        var (token, _, _) = SoftHsm.NewToken("ecpoint");
        using (token)
        using (ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            token.ImportPrivateKey(TestKeys.Export(ec, "pkcs8"), "k", [0x01]);
            ECParameters p = ec.ExportParameters(false);

            // Act
            byte[]?[] values = token.Run(s =>
            {
                var pub = Pkcs11Token.Find(s, Pkcs11ObjectClass.PublicKey, null, [0x01]).Single();
                return s.GetAttributes(pub.Handle, Cka.EcPoint, Cka.EcParams);
            });

            // Assert
            Assert.Equal([0x04, 0x41, 0x04, .. p.Q.X!, .. p.Q.Y!], values[0]);
            Assert.Equal(Convert.FromHexString("06082A8648CE3D030107"), values[1]);
        }
    }

    [SoftHsmFact]
    public void VerifyData_EcdsaRawSignature_VerifiesOnToken()
    {
        // Arrange: C_Verify(CKM_ECDSA) wants r‖s; DER is converted before the call (else CKR_SIGNATURE_LEN_RANGE).
        var (token, _, _) = SoftHsm.NewToken("raw");
        using (token)
        {
            Pkcs11PrivateKey key = token.GenerateEcKeyPair("k", [0x01], ECCurve.NamedCurves.nistP256);
            byte[] data = "d"u8.ToArray();
            byte[] raw = key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            byte[] der = key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);

            // Act
            bool rawOk = key.VerifyData(data, raw, Pkcs11SignatureAlgorithm.EcdsaSha256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
            bool derOk = key.VerifyData(data, der, Pkcs11SignatureAlgorithm.EcdsaSha256);
            bool derAsRaw = token.Run(s =>
            {
                var pub = Pkcs11Token.Find(s, Pkcs11ObjectClass.PublicKey, null, [0x01]).Single();
                return s.Verify(pub.Handle, Ckm.Ecdsa, [], SHA256.HashData(data), der);
            });

            // Assert
            Assert.True(rawOk);
            Assert.True(derOk);
            Assert.False(derAsRaw);
        }
    }

    [SoftHsmFact]
    public void SignInit_PssWithoutParameters_IsArgumentsBad()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("pss");
        using (token)
        {
            Pkcs11PrivateKey key = token.GenerateRsaKeyPair("k", [0x01]);

            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => token.Run(s => s.Sign(key.Handle(s), Ckm.Sha256RsaPkcsPss, [], [1, 2, 3], default, false)));

            // Assert
            Assert.Equal("C_SignInit", e.Function);
            Assert.Equal("CKR_ARGUMENTS_BAD", e.CkrName);
        }
    }

    [SoftHsmFact]
    public void SoftHsmConf_FromRunSettings_IsSeenByTheModule()
    {
        // Arrange: Environment.SetEnvironmentVariable would not reach getenv(); the runsettings do.
        var (token, label, _) = SoftHsm.NewToken("conf");
        using (token)
        {
            // Act
            string dir = SoftHsm.TokenDirectoryOf(label);

            // Assert
            Assert.StartsWith(SoftHsm.TokenDirectory, dir, StringComparison.Ordinal);
            Assert.False(Directory.Exists("/var/lib/softhsm/tokens") && Directory.GetDirectories("/var/lib/softhsm/tokens").Any(d => d.Contains(label, StringComparison.Ordinal)));
        }
    }

    [SoftHsmTheory]
    [InlineData("proxy")]
    public void SlotIds_ProxyRenumbersSlots_TokenStillSelectedByLabel(string module)
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("renum");
        using (token)
        {
            // Act
            using Pkcs11Token viaProxy = TestModules.Get(module).OpenToken($"pkcs11:token={label}?pin-value={pin}");

            // Assert: same token (serial), different slot ID.
            Assert.Equal(token.SerialNumber, viaProxy.SerialNumber);
            Assert.NotEqual(token.SlotId, viaProxy.SlotId);
            Assert.Equal("PKCS#11 Kit", viaProxy.Module.GetInfo().Manufacturer);
        }
    }

    [SoftHsmFact]
    public void ProxyModule_SoftHsmAlreadyInitializedInProcess_ProxyStillOwnsItsCountedInitialization()
    {
        // Act: p11-kit counts C_Initialize and answers CKR_OK, while the SoftHSM behind it is shared.
        var proxy = TestModules.Get("proxy");

        // Assert
        Assert.True(SoftHsm.Module.OwnsInitialization);
        Assert.True(proxy.OwnsInitialization);
        Assert.Contains(proxy.GetSlots(), s => s.Description.StartsWith("SoftHSM slot", StringComparison.Ordinal));
    }
}

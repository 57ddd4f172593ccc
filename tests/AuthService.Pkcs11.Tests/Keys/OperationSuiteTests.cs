using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tests.Keys;

/// <summary>
/// The operation set, run once on SoftHSM directly and once on the same SoftHSM through p11-kit-proxy.so (which
/// renumbers slots and reference-counts C_Initialize). Each test works on a fresh token.
/// </summary>
public class OperationSuiteTests
{
    public static TheoryData<string> Both => new() { "direct", "proxy" };

    public static TheoryData<string, string, string> ImportCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string module in new[] { "direct", "proxy" })
        {
            data.Add(module, "rsa2048", "pkcs8");
            data.Add(module, "rsa2048", "pkcs1");
            data.Add(module, "rsa2048", "encrypted-pkcs8");
            data.Add(module, "rsa2048", "pkcs8-der");
            data.Add(module, "p256", "pkcs8");
            data.Add(module, "p256", "sec1");
            data.Add(module, "p256", "encrypted-pkcs8");
            data.Add(module, "p384", "sec1");
            data.Add(module, "p384", "pkcs8");
        }

        return data;
    }

    [SoftHsmTheory]
    [MemberData(nameof(ImportCases))]
    public void ImportPrivateKey_Format_CreatesProtectedKeyPairThatSignsVerifiably(string module, string algorithm, string format)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("imp", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create(algorithm))
        {
            byte[] input = TestKeys.Export(software, format);
            byte[] data = "string to sign"u8.ToArray();

            // Act
            Pkcs11PrivateKey key = token.ImportPrivateKey(input, "ra-key", [0x01], format == "encrypted-pkcs8" ? TestKeys.Password : default);

            // Assert: protection flags, as the binding wrote them and as the token reports them.
            var attributes = token.Run(s =>
            {
                ulong h = key.Handle(s);
                return s.GetAttributes(h, Cka.Sensitive, Cka.Extractable, Cka.Private, Cka.Token, Cka.Sign);
            });
            Assert.Equal(new byte[] { 1 }, attributes[0]);
            Assert.Equal(new byte[] { 0 }, attributes[1]);
            Assert.Equal(new byte[] { 1 }, attributes[2]);
            Assert.Equal(new byte[] { 1 }, attributes[3]);
            Assert.Equal(new byte[] { 1 }, attributes[4]);
            var objects = token.FindObjects("pkcs11:id=%01");
            Assert.Contains(objects, o => o.Class == Pkcs11ObjectClass.PrivateKey && o.Label == "ra-key");
            Assert.Contains(objects, o => o.Class == Pkcs11ObjectClass.PublicKey && o.Label == "ra-key");

            Pkcs11SignatureAlgorithm alg = key.KeyType == Pkcs11KeyType.Rsa ? Pkcs11SignatureAlgorithm.RsaPkcs1Sha256 : Pkcs11SignatureAlgorithm.EcdsaSha256;
            byte[] signature = key.SignData(data, alg);
            bool valid = software switch
            {
                RSA rsa => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                ECDsa ec => ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                _ => false,
            };
            Assert.True(valid);
            Assert.Equal(software.KeySize, key.KeySizeBits);
        }
    }

    public static TheoryData<string, string, Pkcs11SignatureAlgorithm> SignCases()
    {
        var data = new TheoryData<string, string, Pkcs11SignatureAlgorithm>();
        foreach (string module in new[] { "direct", "proxy" })
        {
            foreach (Pkcs11SignatureAlgorithm a in new[] { Pkcs11SignatureAlgorithm.RsaPkcs1Sha256, Pkcs11SignatureAlgorithm.RsaPkcs1Sha384, Pkcs11SignatureAlgorithm.RsaPkcs1Sha512, Pkcs11SignatureAlgorithm.RsaPssSha256, Pkcs11SignatureAlgorithm.RsaPssSha384, Pkcs11SignatureAlgorithm.RsaPssSha512 })
            {
                data.Add(module, "rsa2048", a);
            }

            foreach (Pkcs11SignatureAlgorithm a in new[] { Pkcs11SignatureAlgorithm.EcdsaSha256, Pkcs11SignatureAlgorithm.EcdsaSha384, Pkcs11SignatureAlgorithm.EcdsaSha512 })
            {
                data.Add(module, "p256", a);
                data.Add(module, "p384", a);
            }
        }

        return data;
    }

    [SoftHsmTheory]
    [MemberData(nameof(SignCases))]
    public void SignData_Algorithm_VerifiesInDotNetAndOnToken(string module, string algorithm, Pkcs11SignatureAlgorithm signatureAlgorithm)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("sig", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create(algorithm))
        {
            Pkcs11PrivateKey key = token.ImportPrivateKey(TestKeys.Export(software, "pkcs8"), "k", [0x42]);
            byte[] data = RandomNumberGenerator.GetBytes(1000);
            string hash = signatureAlgorithm.ToString()[^6..];
            var hashName = new HashAlgorithmName(hash.ToUpperInvariant());

            // Act
            byte[] der = key.SignData(data, signatureAlgorithm);
            byte[] raw = key.SignData(data, signatureAlgorithm, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

            // Assert
            switch (software)
            {
                case RSA rsa:
                    RSASignaturePadding padding = signatureAlgorithm.ToString().Contains("Pss", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                    Assert.True(rsa.VerifyData(data, der, hashName, padding));
                    Assert.Equal(256, der.Length);
                    break;
                case ECDsa ec:
                    // CKM_ECDSA gives r‖s; the default output is DER SEQUENCE{r,s} for X.509 and AWS.
                    Assert.Equal(0x30, der[0]);
                    Assert.True(ec.VerifyData(data, der, hashName, DSASignatureFormat.Rfc3279DerSequence));
                    Assert.Equal(2 * ((ec.KeySize + 7) / 8), raw.Length);
                    Assert.True(ec.VerifyData(data, raw, hashName, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
                    break;
            }

            Assert.True(key.VerifyData(data, der, signatureAlgorithm));
            byte[] tampered = data.ToArray();
            tampered[0] ^= 1;
            Assert.False(key.VerifyData(tampered, der, signatureAlgorithm));
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void SignData_AlgorithmOfOtherKeyType_ThrowsBeforeReachingTheToken(string module)
    {
        // Arrange: SoftHSM would accept CKM_SHA256_RSA_PKCS on an EC key at C_SignInit and fail later.
        var (token, _, _) = SoftHsm.NewToken("mix", TestModules.Get(module));
        using (token)
        {
            Pkcs11PrivateKey key = token.GenerateEcKeyPair("ec", [0x07], ECCurve.NamedCurves.nistP256);

            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => key.SignData([1, 2, 3], Pkcs11SignatureAlgorithm.RsaPkcs1Sha256));

            // Assert
            Assert.Equal(Pkcs11ErrorKind.InvalidInput, e.Kind);
            Assert.Contains("EcdsaSha256", e.Message.Replace("Ecdsa*", "EcdsaSha256", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void GenerateKeyPair_RsaAndEc_AreNonExtractableAndSign(string module)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("gen", TestModules.Get(module));
        using (token)
        {
            // Act
            Pkcs11PrivateKey rsa = token.GenerateRsaKeyPair("gen-rsa", [0x0A], 2048);
            Pkcs11PrivateKey ec = token.GenerateEcKeyPair("gen-ec", [0x0B], ECCurve.NamedCurves.nistP384);

            // Assert
            Assert.Equal(2048, rsa.KeySizeBits);
            Assert.Equal(384, ec.KeySizeBits);
            foreach (Pkcs11PrivateKey key in new[] { rsa, ec })
            {
                var a = token.Run(s => s.GetAttributes(key.Handle(s), Cka.Extractable, Cka.Sensitive, Cka.NeverExtractable, Cka.Local, Cka.Id));
                Assert.Equal(new byte[] { 0 }, a[0]);
                Assert.Equal(new byte[] { 1 }, a[1]);
                Assert.Equal(new byte[] { 1 }, a[2]);
                Assert.Equal(new byte[] { 1 }, a[3]);
                Assert.Equal(key.Id, a[4]);
            }

            byte[] data = "payload"u8.ToArray();
            using (var rsaPublic = (RSA)rsa.GetPublicKey())
            {
                Assert.True(rsaPublic.VerifyData(data, rsa.SignData(data, Pkcs11SignatureAlgorithm.RsaPssSha256), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
            }

            using (var ecPublic = (ECDsa)ec.GetPublicKey())
            {
                Assert.True(ecPublic.VerifyData(data, ec.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha384), HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
            }
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void CreateSigningRequest_TokenKey_ProducesCsrWithValidSignature(string module)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("csr", TestModules.Get(module));
        using (token)
        {
            Pkcs11PrivateKey rsa = token.GenerateRsaKeyPair("csr-rsa", [0x01]);
            Pkcs11PrivateKey ec = token.GenerateEcKeyPair("csr-ec", [0x02], ECCurve.NamedCurves.nistP256);

            // Act
            byte[] rsaCsr = rsa.CreateSigningRequest(new X500DistinguishedName("CN=ra-client,O=Example"), HashAlgorithmName.SHA256);
            byte[] pssCsr = rsa.CreateSigningRequest(new X500DistinguishedName("CN=ra-client"), HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
            byte[] ecCsr = ec.CreateSigningRequest(new X500DistinguishedName("CN=ra-client"), HashAlgorithmName.SHA256);

            // Assert: LoadSigningRequest verifies the signature by default.
            var r1 = CertificateRequest.LoadSigningRequest(rsaCsr, HashAlgorithmName.SHA256);
            var r2 = CertificateRequest.LoadSigningRequest(pssCsr, HashAlgorithmName.SHA384);
            var r3 = CertificateRequest.LoadSigningRequest(ecCsr, HashAlgorithmName.SHA256);
            Assert.Equal("CN=ra-client, O=Example", r1.SubjectName.Name);
            Assert.Equal("1.2.840.113549.1.1.1", r2.PublicKey.Oid.Value);
            Assert.Equal("1.2.840.10045.2.1", r3.PublicKey.Oid.Value);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void ImportCertificate_PemAndDer_IsFoundByUriAndReadBack(string module)
    {
        // Arrange
        var (token, label, _) = SoftHsm.NewToken("cert", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm key = TestKeys.Create("p256"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(key))
        {
            byte[] pem = TestKeys.Pem(cert.ExportCertificatePem());

            // Act
            Pkcs11ObjectInfo imported = token.ImportCertificate(pem, "ra-cert", [0x01]);
            token.ImportCertificate(cert.RawData, "ra-cert-der", [0x02]);
            byte[] der = token.GetCertificateDer(Pkcs11Uri.Parse($"pkcs11:token={label};object=ra-cert;id=%01"));
            using X509Certificate2 second = token.GetCertificate(Pkcs11Uri.Parse("pkcs11:object=ra-cert-der;type=cert"));

            // Assert
            Assert.Equal(Pkcs11ObjectClass.Certificate, imported.Class);
            Assert.Equal("01", imported.IdHex);
            Assert.Equal(cert.RawData, der);
            Assert.Equal(cert.Thumbprint, second.Thumbprint);
            var attributes = token.Run(s => s.GetAttributes(imported.Handle, Cka.Subject, Cka.SerialNumber, Cka.CertificateType, Cka.Private));
            Assert.Equal(cert.SubjectName.RawData, attributes[0]);
            Assert.Equal(0x02, attributes[1]![0]);
            Assert.Equal(BitConverter.GetBytes(0UL), attributes[2]);
            Assert.Equal(new byte[] { 0 }, attributes[3]);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void GetCertificateDer_NoMatch_ListsCertificatesPresentWithRemedy(string module)
    {
        // Arrange
        var (token, label, _) = SoftHsm.NewToken("nocert", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm key = TestKeys.Create("p256"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(key))
        {
            token.ImportCertificate(cert.RawData, "other-cert", [0x09]);

            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => token.GetCertificateDer(Pkcs11Uri.Parse("pkcs11:object=ra-cert;id=%01")));

            // Assert
            Assert.Equal(Pkcs11ErrorKind.ObjectNotFound, e.Kind);
            Assert.Contains("Certificate not found in PKCS#11 token", e.Message, StringComparison.Ordinal);
            Assert.Contains($"'{label}'", e.Message, StringComparison.Ordinal);
            Assert.Contains("object=ra-cert", e.Message, StringComparison.Ordinal);
            Assert.Contains("label='other-cert' id=09", e.Message, StringComparison.Ordinal);
            Assert.Contains("--list-objects", e.Message, StringComparison.Ordinal);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void GetCertificateDer_LabelMatchesButIdDiffers_FallsBackToId(string module)
    {
        // Arrange: draft-woodhouse-cert-best-practice §8.2: retry by id without the label.
        var (token, _, _) = SoftHsm.NewToken("fallback", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm key = TestKeys.Create("p256"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(key))
        {
            token.ImportCertificate(cert.RawData, "renamed-cert", [0x01]);

            // Act
            byte[] der = token.GetCertificateDer(Pkcs11Uri.Parse("pkcs11:object=ra-cert;id=%01"));

            // Assert
            Assert.Equal(cert.RawData, der);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void FindPrivateKeyForCertificate_SharedId_FindsKey(string module)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("pair", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create("rsa2048"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(software))
        {
            token.ImportPrivateKey(TestKeys.Export(TestKeys.Create("rsa2048"), "pkcs8"), "decoy", [0x02]);
            token.ImportPrivateKey(TestKeys.Export(software, "pkcs8"), "ra-key", [0x01]);
            token.ImportCertificate(cert.RawData, "ra-cert", [0x01]);

            // Act
            Pkcs11PrivateKey key = token.FindPrivateKeyForCertificate(cert);

            // Assert
            Assert.Equal("ra-key", key.Label);
            Assert.True(key.MatchesCertificate(cert));
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void FindPrivateKeyForCertificate_NoSharedId_FindsByPublicKey(string module)
    {
        // Arrange: the certificate is not on the token and the key has another id.
        var (token, _, _) = SoftHsm.NewToken("pub", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create("p256"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(software))
        {
            token.ImportPrivateKey(TestKeys.Export(TestKeys.Create("p256"), "pkcs8"), "decoy", [0x05]);
            token.ImportPrivateKey(TestKeys.Export(software, "sec1"), "ec-key", [0x77]);

            // Act
            Pkcs11PrivateKey key = token.FindPrivateKeyForCertificate(cert);

            // Assert
            Assert.Equal("ec-key", key.Label);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void FindPrivateKeyForCertificate_OnlyOtherKeys_ThrowsMismatchNamingKeysTried(string module)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("mismatch", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create("p256"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(software, "wrong-cert"))
        {
            token.ImportPrivateKey(TestKeys.Export(TestKeys.Create("p256"), "pkcs8"), "ra-key", [0x01]);
            token.ImportCertificate(cert.RawData, "ra-cert", [0x01]);

            // Act
            var e = Assert.Throws<Pkcs11Exception>(() => token.FindPrivateKeyForCertificate(cert));

            // Assert
            Assert.Equal(Pkcs11ErrorKind.KeyCertificateMismatch, e.Kind);
            Assert.Contains("label='ra-key' id=01", e.Message, StringComparison.Ordinal);
            Assert.Contains("CN=wrong-cert", e.Message, StringComparison.Ordinal);
            Assert.Contains("same --id", e.Message, StringComparison.Ordinal);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void DestroyObjects_ById_RemovesKeyPairAndCertificate(string module)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("destroy", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create("p256"))
        using (X509Certificate2 cert = TestKeys.SelfSigned(software))
        {
            token.ImportPrivateKey(TestKeys.Export(software, "pkcs8"), "ra-key", [0x01]);
            token.ImportCertificate(cert.RawData, "ra-cert", [0x01]);
            token.GenerateEcKeyPair("keep", [0x02], ECCurve.NamedCurves.nistP256);

            // Act
            int destroyed = token.DestroyObjects(Pkcs11Uri.Parse("pkcs11:id=%01"));

            // Assert
            Assert.Equal(3, destroyed);
            Assert.Empty(token.FindObjects("pkcs11:id=%01"));
            Assert.Equal(2, token.FindObjects("pkcs11:id=%02").Count);
            Assert.Throws<ArgumentException>(() => token.DestroyObjects(Pkcs11Uri.Parse("pkcs11:type=private")));
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void ChangePin_LoggedIn_NewPinWorksOldPinFails(string module)
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("pin", TestModules.Get(module));
        using (token)
        {
            // Act
            token.ChangePin(pin, "new-pin-2468");

            // Assert: login state is per application and token, so log out and log in again.
            token.Logout();
            var e = Assert.Throws<Pkcs11Exception>(() => token.Login(pin));
            Assert.Equal("CKR_PIN_INCORRECT", e.CkrName);
            token.Login("new-pin-2468");
            Assert.True(token.IsLoggedIn);
            Assert.Equal(label, token.Label);
        }
    }

    [SoftHsmTheory]
    [MemberData(nameof(Both))]
    public void ListSlots_FreshToken_ShowsLabelSerialAndFlags(string module)
    {
        // Arrange
        var m = TestModules.Get(module);
        var (token, label, _) = SoftHsm.NewToken("list", m);
        using (token)
        {
            // Act
            var slot = m.GetSlots().Single(s => s.Token?.Label == label);

            // Assert
            Assert.True(slot.TokenPresent);
            Assert.Equal(token.SerialNumber, slot.Token!.SerialNumber);
            Assert.Equal("SoftHSM project", slot.Token.Manufacturer);
            Assert.True(slot.Token.Initialized && slot.Token.UserPinInitialized);
            Assert.StartsWith("SoftHSM slot ID 0x", slot.Description, StringComparison.Ordinal);
        }
    }
}

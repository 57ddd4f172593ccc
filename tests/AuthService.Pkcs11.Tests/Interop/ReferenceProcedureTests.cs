using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Tests.Interop;

/// <summary>
/// Interop with the standard tools, run exactly as the SoftHSM setup procedure (Step 1) runs them, and the other
/// direction: objects the binding makes, as pkcs11-tool sees them. PINs go on the tools' command lines only because
/// that is the procedure itself (both tools read an interactive PIN from the terminal, not from stdin).
/// </summary>
public class ReferenceProcedureTests
{
    [ToolsFact]
    public void ReferenceProcedure_ToolsProvisionRsaToken_BindingOpensIdentityAndSigns()
    {
        // Arrange: Step 1 with the procedure's own labels (this is the only test using them).
        const string label = "roles-anywhere";
        string pin = SoftHsm.NewPin();
        var (key, cert) = ProvisionWithTools(label, pin, "rsa");
        string copy = SoftHsm.LoadPrivateCopy().Path;

        // Act: the credentials-file URIs of the procedure, with the module path of --pkcs11-lib.
        using Pkcs11Identity identity = Pkcs11Identity.Open(copy,
            $"pkcs11:token={label};object=ra-cert;id=%01?pin-value={pin}",
            $"pkcs11:token={label};object=ra-key;id=%01?pin-value={pin}");
        byte[] data = "AWS4-X509-RSA-SHA256\n20261123T000000Z\n..."u8.ToArray();
        byte[] signature = identity.SignData(data, Pkcs11SignatureAlgorithm.RsaPkcs1Sha256);

        // Assert
        Assert.Equal(cert.Thumbprint, identity.Certificate.Thumbprint);
        Assert.Equal("ra-key", identity.PrivateKey.Label);
        Assert.Equal(new byte[] { 0x01 }, identity.PrivateKey.Id);
        using RSA rsa = cert.GetRSAPublicKey()!;
        Assert.True(rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        key.Dispose();
    }

    [ToolsFact]
    public void ReferenceProcedure_ToolsProvisionEcToken_KeyFoundFromCertificateAlone()
    {
        // Arrange
        string label = SoftHsm.NewLabel("ra-ec");
        string pin = SoftHsm.NewPin();
        var (key, cert) = ProvisionWithTools(label, pin, "ec");
        Pkcs11Module module = SoftHsm.LoadPrivateCopy();

        // Act: no object/id in the key URI: CKA_ID of the certificate, then public key, then a test signature.
        using Pkcs11Identity identity = Pkcs11Identity.Open(module.Path, $"pkcs11:token={label};object=ra-cert?pin-value={pin}", $"pkcs11:token={label}?pin-value={pin}");
        byte[] data = "payload"u8.ToArray();
        byte[] der = identity.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);

        // Assert
        Assert.Equal("ra-key", identity.PrivateKey.Label);
        using ECDsa ec = cert.GetECDsaPublicKey()!;
        Assert.True(ec.VerifyData(data, der, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        key.Dispose();
    }

    [ToolsFact]
    public void OpenToken_TokenCreatedByToolAfterModuleLoaded_FoundAfterAutomaticReinitialize()
    {
        // Moves/creates token directories or re-initializes: see SoftHsm.TokenDirectoryLock.
        lock (SoftHsm.TokenDirectoryLock)
        {
            // Arrange: SoftHSM reads its token directory only in C_Initialize.
            Pkcs11Module module = SoftHsm.LoadPrivateCopy();
            module.AutoReinitializeInterval = TimeSpan.Zero;
            string label = SoftHsm.NewLabel("late");
            string pin = SoftHsm.NewPin();
            Run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", SoftHsm.SoPin, "--pin", pin]);
            bool visibleBefore = module.GetSlots().Any(s => s.Token?.Label == label);

            // Act
            using Pkcs11Token token = module.OpenToken($"pkcs11:token={label}?pin-value={pin}");

            // Assert
            Assert.False(visibleBefore);
            Assert.Equal(label, token.Label);
            Assert.True(token.IsLoggedIn);
        }
    }

    [ToolsFact]
    public void ListObjects_ObjectsMadeByBinding_Pkcs11ToolListsThemWithLabelsAndIds()
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("listed");
        using (token)
        using (RSA rsa = RSA.Create(2048))
        using (X509Certificate2 cert = TestKeys.SelfSigned(rsa, "listed-client"))
        {
            token.ImportPrivateKey(TestKeys.Export(rsa, "pkcs1"), "ra-key", [0x01]);
            token.ImportCertificate(TestKeys.Pem(cert.ExportCertificatePem()), "ra-cert", [0x01]);
            token.GenerateEcKeyPair("gen-ec", [0x0A, 0x0B], ECCurve.NamedCurves.nistP256);

            // Act
            string output = Run("pkcs11-tool", ["--module", SoftHsm.ModulePath, "--token-label", label, "--login", "--pin", pin, "--list-objects"]);

            // Assert
            Assert.Contains("Private Key Object; RSA", output, StringComparison.Ordinal);
            Assert.Contains("Public Key Object; RSA 2048 bits", output, StringComparison.Ordinal);
            Assert.Contains("Certificate Object; type = X.509 cert", output, StringComparison.Ordinal);
            Assert.Contains("subject:    DN: CN=listed-client", output, StringComparison.Ordinal);
            Assert.Contains("Private Key Object; EC", output, StringComparison.Ordinal);
            Assert.Contains("label:      ra-key", output, StringComparison.Ordinal);
            Assert.Contains("label:      ra-cert", output, StringComparison.Ordinal);
            Assert.Contains("ID:         01", output, StringComparison.Ordinal);
            Assert.Contains("ID:         0a0b", output, StringComparison.Ordinal);
            Assert.Contains("Access:     sensitive", output, StringComparison.Ordinal);
            Assert.Contains("never extractable", output, StringComparison.Ordinal);
        }
    }

    [ToolsFact]
    public void ReadObject_PrivateKeyMadeByBinding_Pkcs11ToolYieldsNothing()
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("noread");
        using (token)
        using (ECDsa ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            token.ImportPrivateKey(TestKeys.Export(ec, "pkcs8"), "ra-key", [0x01]);
            string outFile = Path.Combine(Path.GetTempPath(), $"privkey-{Guid.NewGuid():N}.der");

            // Act: the tool refuses with exit code 0, so the proof is the missing output (and CKR_ATTRIBUTE_SENSITIVE,
            // tested in SecretHandlingTests).
            var (exit, stdout, stderr) = Tool.Run("pkcs11-tool", ["--module", SoftHsm.ModulePath, "--token-label", label, "--login", "--pin", pin, "--read-object", "--type", "privkey", "--id", "01", "-o", outFile]);

            // Assert
            Assert.Equal(0, exit);
            Assert.False(File.Exists(outFile) && new FileInfo(outFile).Length > 0);
            Assert.Empty(stdout);
            Assert.Contains("reading private keys not (yet) supported", stderr, StringComparison.Ordinal);
            File.Delete(outFile);
        }
    }

    /// <summary>Step 1 of the procedure: init token, import the PKCS#8 key from stdin, write the cert with pkcs11-tool.</summary>
    private static (AsymmetricAlgorithm Key, X509Certificate2 Cert) ProvisionWithTools(string label, string pin, string kind)
    {
        // Moves/creates token directories or re-initializes: see SoftHsm.TokenDirectoryLock.
        lock (SoftHsm.TokenDirectoryLock)
        {
            Run("softhsm2-util", ["--init-token", "--free", "--label", label, "--so-pin", SoftHsm.SoPin, "--pin", pin]);
            AsymmetricAlgorithm key = kind == "rsa" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
            byte[] pkcs8 = Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem());
            // "cat <<'EOF' | softhsm2-util --import /dev/stdin --token ... --pin ... --label ra-key --id 01 --force"
            Run("softhsm2-util", ["--import", "/dev/stdin", "--token", label, "--pin", pin, "--label", "ra-key", "--id", "01", "--force"], pkcs8);
            X509Certificate2 cert = TestKeys.SelfSigned(key);
            string certFile = Path.Combine(Path.GetTempPath(), $"ra-cert-{Guid.NewGuid():N}.pem");
            File.WriteAllText(certFile, cert.ExportCertificatePem());
            try
            {
                Run("pkcs11-tool", ["--module", SoftHsm.ModulePath, "--token-label", label, "--login", "--pin", pin, "--write-object", certFile, "--type", "cert", "--label", "ra-cert", "--id", "01"]);
            }
            finally
            {
                File.Delete(certFile);
            }

            string listing = Run("pkcs11-tool", ["--module", SoftHsm.ModulePath, "--token-label", label, "--login", "--pin", pin, "--list-objects"]);
            Assert.Contains("Private Key Object", listing, StringComparison.Ordinal);
            Assert.Contains("Certificate Object", listing, StringComparison.Ordinal);
            return (key, cert);
        }
    }

    private static string Run(string tool, string[] args, byte[]? stdin = null)
    {
        var (exit, stdout, stderr) = Tool.Run(tool, args, stdin);
        Assert.True(exit == 0, $"{tool} {args[0]} failed ({exit}): {stderr}");
        return stdout + stderr;
    }
}

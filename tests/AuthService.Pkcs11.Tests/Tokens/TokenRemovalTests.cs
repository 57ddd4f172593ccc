using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Tests.Tokens;

/// <summary>
/// A token that goes away while in use (its SoftHSM directory moved out of the token directory, as when a bind mount
/// disappears) must fail cleanly and recover once it is back. Runs on a private SoftHSM instance because recovery
/// re-initializes the module, which would disturb the tests sharing the main instance.
/// </summary>
public class TokenRemovalTests
{
    [SoftHsmFact]
    public void SignData_TokenDirectoryRemovedThenRestored_CleanErrorThenRecovers()
    {
        // Moves/creates token directories or re-initializes: see SoftHsm.TokenDirectoryLock.
        lock (SoftHsm.TokenDirectoryLock)
        {
            // Arrange
            Pkcs11Module module = SoftHsm.LoadPrivateCopy();
            module.AutoReinitializeInterval = TimeSpan.Zero;
            var (token, label, _) = SoftHsm.NewToken("removed", module);
            using (token)
            using (ECDsa software = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                Pkcs11PrivateKey key = token.ImportPrivateKey(TestKeys.Export(software, "pkcs8"), "ra-key", [0x01]);
                byte[] data = "before"u8.ToArray();
                Assert.True(software.VerifyData(data, key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                string dir = SoftHsm.TokenDirectoryOf(label);
                // Out of the token directory: SoftHSM treats every sub-directory there as a token, whatever its name.
                string away = Path.Combine(Path.GetDirectoryName(SoftHsm.TokenDirectory)!, "removed-" + Path.GetFileName(dir));

                // Act: remove
                Directory.Move(dir, away);
                Pkcs11Exception removed;
                try
                {
                    removed = Assert.Throws<Pkcs11Exception>(() => key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256));
                }
                finally
                {
                    // Act: restore
                    Directory.Move(away, dir);
                }

                byte[] after = key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);

                // Assert
                Assert.True(removed.CkrName == "CKR_TOKEN_NOT_PRESENT" || removed.Kind == Pkcs11ErrorKind.TokenNotFound, removed.Message);
                Assert.Contains(label, removed.Message, StringComparison.Ordinal);
                Assert.NotNull(removed.Remedy);
                Assert.True(software.VerifyData(data, after, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
                Assert.True(token.IsLoggedIn);
            }
        }
    }

    [SoftHsmFact]
    public void OpenToken_TokenAbsentWhenModuleLoadsThenRestored_TokenNotFoundThenOpens()
    {
        // Moves/creates token directories or re-initializes: see SoftHsm.TokenDirectoryLock.
        lock (SoftHsm.TokenDirectoryLock)
        {
            // Arrange: the token directory is missing when the module initializes.
            // Created by another instance: the shared one must never see its token directory vanish.
            var (token, label, pin) = SoftHsm.NewToken("absent", SoftHsm.LoadPrivateCopy());
            token.Dispose();
            string dir = SoftHsm.TokenDirectoryOf(label);
            string away = Path.Combine(Path.GetDirectoryName(SoftHsm.TokenDirectory)!, "removed-" + Path.GetFileName(dir));
            Directory.Move(dir, away);
            Pkcs11Module module;
            Pkcs11Exception e;
            try
            {
                module = SoftHsm.LoadPrivateCopy();
                module.AutoReinitializeInterval = TimeSpan.Zero;

                // Act
                e = Assert.Throws<Pkcs11Exception>(() => module.OpenToken($"pkcs11:token={label}?pin-value={pin}"));
            }
            finally
            {
                Directory.Move(away, dir);
            }

            using Pkcs11Token back = module.OpenToken($"pkcs11:token={label}?pin-value={pin}");

            // Assert
            Assert.Equal(Pkcs11ErrorKind.TokenNotFound, e.Kind);
            Assert.Contains("tokens present:", e.Message, StringComparison.Ordinal);
            Assert.Contains($"token={label}", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(pin, e.Message, StringComparison.Ordinal);
            Assert.True(back.IsLoggedIn);
        }
    }
}

/// <summary>A token renamed by an operator while in use, then given its label back (as re-provisioning does).</summary>
public class TokenRenameTests
{
    [ToolsFact]
    public void SignData_TokenRenamedThenRestored_CleanErrorThenRecovers()
    {
        // Moves/creates token directories or re-initializes: see SoftHsm.TokenDirectoryLock.
        lock (SoftHsm.TokenDirectoryLock)
        {
            // Arrange
            Pkcs11Module module = SoftHsm.LoadPrivateCopy();
            module.AutoReinitializeInterval = TimeSpan.Zero;
            var (token, label, pin) = SoftHsm.NewToken("rename", module);
            using (token)
            using (ECDsa software = ECDsa.Create(ECCurve.NamedCurves.nistP256))
            {
                byte[] pkcs8 = TestKeys.Export(software, "pkcs8");
                Pkcs11PrivateKey key = token.ImportPrivateKey(pkcs8, "ra-key", [0x01]);
                byte[] data = "data"u8.ToArray();
                key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);
                string renamed = label + "-x";

                // Act: another process re-initializes the token under another label (its objects are gone) ...
                Assert.Equal(0, Tool.Run("softhsm2-util", ["--init-token", "--token", label, "--label", renamed, "--so-pin", SoftHsm.SoPin, "--pin", pin]).Exit);
                var whileRenamed = Assert.Throws<Pkcs11Exception>(() => key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256));
                var stillRenamed = Assert.Throws<Pkcs11Exception>(() => key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256));

                // ... then re-provisions it with the original label and key, as the setup procedure does.
                Assert.Equal(0, Tool.Run("softhsm2-util", ["--init-token", "--token", renamed, "--label", label, "--so-pin", SoftHsm.SoPin, "--pin", pin]).Exit);
                Assert.Equal(0, Tool.Run("softhsm2-util", ["--import", "/dev/stdin", "--token", label, "--pin", pin, "--label", "ra-key", "--id", "01", "--force"], pkcs8).Exit);
                byte[] after = key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);

                // Assert
                Assert.Contains(renamed, whileRenamed.Message, StringComparison.Ordinal);
                Assert.Equal(Pkcs11ErrorKind.TokenNotFound, stillRenamed.Kind);
                Assert.Contains("removed or renamed", stillRenamed.Message, StringComparison.Ordinal);
                Assert.Contains($"'{renamed}'", stillRenamed.Message, StringComparison.Ordinal);
                Assert.DoesNotContain(pin, whileRenamed.Message + stillRenamed.Message, StringComparison.Ordinal);
                Assert.True(software.VerifyData(data, after, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            }
        }
    }
    [SoftHsmFact]
    public void OpenToken_PinChangedByAnotherProcess_NewPinAcceptedOldRefused()
    {
        // Re-initializes a module: see SoftHsm.TokenDirectoryLock.
        lock (SoftHsm.TokenDirectoryLock)
        {
            // Arrange: this process logged in once, so SoftHSM holds the token's PIN data from its C_Initialize.
            Pkcs11Module module = SoftHsm.LoadPrivateCopy();
            module.AutoReinitializeInterval = TimeSpan.Zero;
            var (token, label, pin) = SoftHsm.NewToken("pinchange", module);
            token.Dispose();
            string newPin = SoftHsm.NewPin();
            var changed = Tool.Run("pkcs11-tool", ["--module", SoftHsm.ModulePath, "--token-label", label, "--login", "--pin", pin, "--change-pin", "--new-pin", newPin]);
            Assert.True(changed.Exit == 0, changed.Err);

            // Act
            using Pkcs11Token reopened = module.OpenToken(AuthService.Pkcs11.Uris.Pkcs11Uri.Parse($"pkcs11:token={label}?pin-value={newPin}"));
            reopened.Dispose();
            var old = Assert.Throws<Pkcs11Exception>(() => module.OpenToken(AuthService.Pkcs11.Uris.Pkcs11Uri.Parse($"pkcs11:token={label}?pin-value={pin}")));

            // Assert
            Assert.True(reopened is not null);
            Assert.Equal("CKR_PIN_INCORRECT", old.CkrName);
        }
    }
}

using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Tests.Support;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Tests.Tokens;

/// <summary>Login state, session reuse and the session pitfalls of the fact sheet (§3.1, §3.3).</summary>
public class SessionAndLoginTests
{
    [SoftHsmFact]
    public void Login_Twice_AlreadyLoggedInIsSuccess()
    {
        // Arrange
        var (token, _, pin) = SoftHsm.NewToken("twice");
        using (token)
        {
            // Act: the second C_Login answers CKR_USER_ALREADY_LOGGED_IN.
            token.Login(pin);
            using Pkcs11Token second = SoftHsm.Module.OpenToken(new Pkcs11Uri { Token = token.Label, PinValue = pin });

            // Assert
            Assert.True(token.IsLoggedIn);
            Assert.True(second.IsLoggedIn);
        }
    }

    [SoftHsmFact]
    public void Login_WrongPin_ThrowsPinIncorrectWithRemedyAndNoRetry()
    {
        // Arrange
        string label = SoftHsm.NewLabel("wrong");
        SoftHsm.InitializeToken(SoftHsm.Module, label, "right-pin-1");
        using Pkcs11Token token = SoftHsm.Module.OpenToken(new Pkcs11Uri { Token = label });

        // Act
        var e = Assert.Throws<Pkcs11Exception>(() => token.Login("wrong-pin-2"));

        // Assert
        Assert.Equal("C_Login", e.Function);
        Assert.Equal("CKR_PIN_INCORRECT", e.CkrName);
        Assert.Contains($"token '{label}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("pin-value", e.Message, StringComparison.Ordinal);
        Assert.False(token.IsLoggedIn);
        // One wrong PIN was sent, not several: SoftHSM flags CKF_USER_PIN_COUNT_LOW after a failure.
        Assert.True(token.GetInfo().UserPinCountLow);
    }

    [SoftHsmFact]
    public void PrivateObjects_BeforeLogin_AreInvisible()
    {
        // Arrange
        var (token, label, pin) = SoftHsm.NewToken("invisible");
        token.GenerateEcKeyPair("k", [0x01], ECCurve.NamedCurves.nistP256);
        token.Dispose();
        using Pkcs11Token fresh = SoftHsm.Module.OpenToken(new Pkcs11Uri { Token = label });

        // Act
        var before = fresh.FindObjects("pkcs11:type=private");
        fresh.Login(pin);
        var after = fresh.FindObjects("pkcs11:type=private");

        // Assert
        Assert.Empty(before);
        Assert.Single(after);
    }

    [SoftHsmFact]
    public void Dispose_LastSessionOfToken_LogsTheApplicationOut()
    {
        // Arrange
        var (token, label, _) = SoftHsm.NewToken("logout");
        Assert.True(token.IsLoggedIn);

        // Act: the pool's anchor session was the last one; closing it logs out (PKCS#11 §5.6).
        token.Dispose();
        using Pkcs11Token again = SoftHsm.Module.OpenToken(new Pkcs11Uri { Token = label });

        // Assert
        Assert.False(again.IsLoggedIn);
    }

    [SoftHsmFact]
    public void Run_LeasedSessionsComeAndGo_LoginSurvivesThroughAnchor()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("anchor");
        using (token)
        {
            // Act: discard every leased session (as after an error), then check the login.
            for (int i = 0; i < 3; i++)
            {
                Assert.Throws<InvalidOperationException>(() => token.Run<int>(_ => throw new InvalidOperationException("boom")));
            }

            // Assert
            Assert.Equal(0, token.OpenSessions);
            Assert.True(token.IsLoggedIn);
            Assert.Empty(token.FindObjects("pkcs11:type=private"));
        }
    }

    [SoftHsmFact]
    public unsafe void Run_OperationLeftActiveByAnError_SessionIsDiscardedNotReused()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("active");
        using (token)
        {
            ulong abandoned = 0;
            ulong activeResult = 0;

            // Act: start a search and fail before C_FindObjectsFinal.
            Assert.Throws<InvalidOperationException>(() => token.Run<int>(s =>
            {
                abandoned = s.Handle;
                Assert.Equal(Ckr.Ok, token.Module.Functions->C_FindObjectsInit(s.Handle, null, 0));
                // The pitfall itself: a second Init on that session fails with CKR_OPERATION_ACTIVE.
                activeResult = token.Module.Functions->C_FindObjectsInit(s.Handle, null, 0);
                throw new InvalidOperationException("failure between Init and Final");
            }));
            ulong next = token.Run(s => s.Handle);
            int found = token.FindObjects("pkcs11:").Count;

            // Assert
            Assert.Equal(Ckr.OperationActive, activeResult);
            Assert.NotEqual(abandoned, next);
            Assert.Equal(0, found);
        }
    }

    [SoftHsmFact]
    public void SessionPool_ConcurrentOperations_UseDistinctSessionsAndReuseThem()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("pool");
        using (token)
        {
            var inUse = new System.Collections.Concurrent.ConcurrentDictionary<ulong, int>();
            int overlaps = 0;
            using var barrier = new Barrier(4);

            // Act
            Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => token.Run(s =>
            {
                if (!inUse.TryAdd(s.Handle, 0))
                {
                    Interlocked.Increment(ref overlaps);
                }

                barrier.SignalAndWait(TimeSpan.FromSeconds(30));
                inUse.TryRemove(s.Handle, out int _);
                return 0;
            }));
            int afterFirst = token.OpenSessions;
            token.Run(s => s.Handle);

            // Assert
            Assert.Equal(0, overlaps);
            Assert.Equal(4, afterFirst);
            Assert.Equal(4, token.OpenSessions);
        }
    }

    [SoftHsmFact]
    public void SignData_AlwaysAuthenticateKey_DoesContextSpecificLoginEachTime()
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("always");
        using (token)
        using (var software = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            Pkcs11PrivateKey key = token.ImportPrivateKey(TestKeys.Export(software, "pkcs8"), "piv-sign", [0x9C], alwaysAuthenticate: true);
            byte[] data = "challenge"u8.ToArray();

            // Act
            byte[] first = key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);
            byte[] second = key.SignData(data, Pkcs11SignatureAlgorithm.EcdsaSha256);
            ulong withoutContextLogin = token.Run(s =>
            {
                try
                {
                    s.Sign(key.Handle(s), Ckm.Ecdsa, [], SHA256.HashData(data), default, contextLogin: false);
                    return Ckr.Ok;
                }
                catch (Pkcs11Exception e)
                {
                    return e.ReturnValue!.Value;
                }
            });

            // Assert
            Assert.True(key.AlwaysAuthenticate);
            Assert.True(software.VerifyData(data, first, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            Assert.True(software.VerifyData(data, second, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            Assert.Equal(Ckr.UserNotLoggedIn, withoutContextLogin);
        }
    }
}

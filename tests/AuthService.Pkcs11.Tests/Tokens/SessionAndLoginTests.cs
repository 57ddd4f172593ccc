using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Modules;
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

    [SoftHsmTheory]
    [InlineData("proxy")]
    public void Login_SameWrongPinAgainOnAModuleThatMayLock_NotPresentedToTheTokenButTheRightPinIs(string module)
    {
        // Arrange: a service whose credentials file holds a wrong PIN logs in on every connector call. Through
        // p11-kit the module is not known to be SoftHSM, so it is treated like a smartcard that locks.
        string label = SoftHsm.NewLabel("held");
        SoftHsm.InitializeToken(SoftHsm.Module, label, "right-pin-1");
        Pkcs11Module locking = TestModules.Get(module);
        using Pkcs11Token token = locking.OpenToken(new Pkcs11Uri { Token = label });
        Assert.Throws<Pkcs11Exception>(() => token.Login("wrong-pin-2"));
        long attempts = locking.UserLogins;

        // Act
        var again = Assert.Throws<Pkcs11Exception>(() => token.Login("wrong-pin-2"));
        long afterRefusal = locking.UserLogins;
        token.Login("right-pin-1");

        // Assert: refused as a wrong PIN (same remedy), without a C_Login; a different PIN goes through at once.
        Assert.Equal("CKR_PIN_INCORRECT", again.CkrName);
        Assert.Contains("not presented again", again.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pin-2", again.Message, StringComparison.Ordinal);
        Assert.True(afterRefusal == attempts, $"{afterRefusal - attempts} C_Login calls for a PIN the token had just refused");
        Assert.True(token.IsLoggedIn);
        Assert.False(token.GetInfo().UserPinCountLow);
    }

    [SoftHsmFact]
    public void Login_SameWrongPinAgainOnSoftHsm_PresentedAgainSinceSoftHsmNeverLocks()
    {
        string label = SoftHsm.NewLabel("softheld");
        SoftHsm.InitializeToken(SoftHsm.Module, label, "right-pin-1");
        using Pkcs11Token token = SoftHsm.Module.OpenToken(new Pkcs11Uri { Token = label });
        Assert.Throws<Pkcs11Exception>(() => token.Login("wrong-pin-2"));
        long attempts = SoftHsm.Module.UserLogins;

        var again = Assert.Throws<Pkcs11Exception>(() => token.Login("wrong-pin-2"));

        Assert.DoesNotContain("not presented again", again.Message, StringComparison.Ordinal);
        Assert.True(SoftHsm.Module.UserLogins > attempts, "SoftHSM was not asked again");
    }

    [Fact]
    public void WrongPinGuard_AfterTheHoldOffOrAnAcceptedPin_PresentsItAgain()
    {
        const ulong CountLow = 0x10000;
        var guard = new WrongPinGuard { HoldOff = TimeSpan.FromMinutes(1) };
        byte[] pin = "1234"u8.ToArray();
        guard.Refused("serial-1", pin, tokenFlagsAfter: CountLow);

        var held = Assert.Throws<Pkcs11Exception>(() => guard.ThrowIfUnsafe(CountLow, "serial-1", "t", pin));
        guard.ThrowIfUnsafe(CountLow, "serial-2", "t", pin);   // another token: its own count
        guard.ThrowIfUnsafe(CountLow, "serial-1", "t", "5678"u8);   // another PIN
        guard.ThrowIfUnsafe(0, "serial-1", "t", pin);   // COUNT_LOW cleared since: a good login or a PIN change happened
        guard.HoldOff = TimeSpan.Zero;
        guard.ThrowIfUnsafe(CountLow, "serial-1", "t", pin);   // held long enough
        guard.HoldOff = TimeSpan.FromMinutes(1);
        guard.Accepted("serial-1");
        guard.ThrowIfUnsafe(CountLow, "serial-1", "t", pin);   // the token accepted a PIN since
        guard.Refused("serial-3", pin, tokenFlagsAfter: 0);   // a token that never flags COUNT_LOW: time alone
        var heldWithoutFlags = Assert.Throws<Pkcs11Exception>(() => guard.ThrowIfUnsafe(0, "serial-3", "t", pin));

        Assert.Equal("CKR_PIN_INCORRECT", held.CkrName);
        Assert.Equal("CKR_PIN_INCORRECT", heldWithoutFlags.CkrName);
    }

    [Theory]
    [InlineData(0x20000ul, "CKR_PIN_INCORRECT", "CKF_USER_PIN_FINAL_TRY")]
    [InlineData(0x40000ul, "CKR_PIN_LOCKED", "CKF_USER_PIN_LOCKED")]
    [InlineData(0x60000ul, "CKR_PIN_LOCKED", "CKF_USER_PIN_LOCKED")]
    public void WrongPinGuard_TokenAtItsLastAttemptOrLocked_NoPinPresented(ulong flags, string ckr, string named)
    {
        var guard = new WrongPinGuard();

        var refused = Assert.Throws<Pkcs11Exception>(() => guard.ThrowIfUnsafe(flags, "serial-1", "ra", "1234"u8));

        Assert.Equal(ckr, refused.CkrName);
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
        Assert.True(WrongPinGuard.OneAttemptLeft(flags));
        Assert.False(WrongPinGuard.OneAttemptLeft(0x10000ul));   // CKF_USER_PIN_COUNT_LOW alone: SoftHSM after any wrong PIN
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

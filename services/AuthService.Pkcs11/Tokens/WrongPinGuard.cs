using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Tokens;

/// <summary>
/// Keeps a PIN from a file (the credentials profile) from locking a token that counts wrong attempts. A service
/// logs in whenever it needs credentials: without this, a wrong pin-value would be presented on every connector
/// call, and a smartcard or HSM locks its User PIN after a few tries (SoftHSM only flags CKF_USER_PIN_COUNT_LOW).
/// So a PIN the token refused is not presented to that token again for <see cref="HoldOff"/> (or until the token
/// shows it was unlocked or its PIN changed since), and no PIN is presented automatically while the token says one
/// attempt is left (CKF_USER_PIN_FINAL_TRY) or the PIN is locked.
/// Only a hash of (token serial, PIN) is kept.
/// </summary>
public sealed class WrongPinGuard
{
    private const ulong UserPinCountLow = 0x10000;
    private const ulong UserPinFinalTry = 0x20000;
    private const ulong UserPinLocked = 0x40000;

    private readonly ConcurrentDictionary<string, Refusal> _refused = new(StringComparer.Ordinal);

    /// <summary>How long a refused PIN is not presented again to the same token; default 60 s.</summary>
    public TimeSpan HoldOff { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>CKF_USER_PIN_FINAL_TRY or CKF_USER_PIN_LOCKED: a wrong PIN now would lock the token, or it is locked.</summary>
    internal static bool OneAttemptLeft(ulong tokenFlags) => (tokenFlags & (UserPinFinalTry | UserPinLocked)) != 0;

    /// <summary>Throws, without touching the token, when presenting <paramref name="pin"/> now could lock it.</summary>
    internal void ThrowIfUnsafe(ulong tokenFlags, string serial, string label, ReadOnlySpan<byte> pin)
    {
        if ((tokenFlags & UserPinLocked) != 0)
        {
            throw new Pkcs11Exception("C_Login", Ckr.PinLocked, $"token '{label}' (CKF_USER_PIN_LOCKED; no PIN was presented)");
        }

        if ((tokenFlags & UserPinFinalTry) != 0)
        {
            throw new Pkcs11Exception("C_Login", Ckr.PinIncorrect,
                $"token '{label}' allows one more PIN attempt before it locks (CKF_USER_PIN_FINAL_TRY), so the configured PIN is not " +
                "presented automatically; once it is verified, log in once by hand (pkcs11-tool --login --test) to reset the count");
        }

        if (_refused.TryGetValue(serial, out var refusal) && CryptographicOperations.FixedTimeEquals(refusal.PinHash, Hash(serial, pin)))
        {
            // A token that flagged CKF_USER_PIN_COUNT_LOW after the refusal clears it on a successful login or a PIN
            // change (C_SetPIN, C_InitPIN): then something changed, and the PIN is worth presenting again at once.
            var since = TimeSpan.FromMilliseconds(Environment.TickCount64 - refusal.Ticks);
            if (since < HoldOff && (!refusal.CountLowAfter || (tokenFlags & UserPinCountLow) != 0))
            {
                throw new Pkcs11Exception("C_Login", Ckr.PinIncorrect, string.Create(CultureInfo.InvariantCulture,
                    $"token '{label}' refused this PIN {since.TotalSeconds:0} s ago; it is not presented again for {Math.Ceiling((HoldOff - since).TotalSeconds):0} s, so a token that counts attempts does not lock"));
            }
        }
    }

    /// <summary>Remembers that the token refused <paramref name="pin"/>; <paramref name="tokenFlagsAfter"/>: its flags just after.</summary>
    internal void Refused(string serial, ReadOnlySpan<byte> pin, ulong tokenFlagsAfter) =>
        _refused[serial] = new Refusal(Hash(serial, pin), Environment.TickCount64, (tokenFlagsAfter & UserPinCountLow) != 0);

    /// <summary>A PIN was accepted: nothing refused on that token is remembered any more.</summary>
    internal void Accepted(string serial) => _refused.TryRemove(serial, out _);

    private static byte[] Hash(string serial, ReadOnlySpan<byte> pin)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes(serial + "\n"));
        hash.AppendData(pin);
        return hash.GetHashAndReset();
    }

    private sealed record Refusal(byte[] PinHash, long Ticks, bool CountLowAfter);
}

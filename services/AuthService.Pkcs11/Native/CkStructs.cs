using System.Runtime.InteropServices;
using System.Text;

namespace AuthService.Pkcs11.Native;

// PKCS#11 v2.40 structures for Linux x64 (LP64). CK_ULONG is 8 bytes, and the structs use natural C alignment:
// Linux modules (SoftHSM, OpenSC, p11-kit, tpm2-pkcs11) only apply "#pragma pack(1)" on Windows, so Pack must stay 0.
// Sizes and offsets are asserted by NativeLayoutTests against the values gcc reports for <p11-kit/pkcs11.h>.

[StructLayout(LayoutKind.Sequential)]
internal struct CkVersion
{
    public byte Major;
    public byte Minor;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkInfo
{
    public CkVersion CryptokiVersion;
    public fixed byte ManufacturerId[32];
    public ulong Flags;
    public fixed byte LibraryDescription[32];
    public CkVersion LibraryVersion;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkSlotInfo
{
    public fixed byte SlotDescription[64];
    public fixed byte ManufacturerId[32];
    public ulong Flags;
    public CkVersion HardwareVersion;
    public CkVersion FirmwareVersion;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkTokenInfo
{
    public fixed byte Label[32];
    public fixed byte ManufacturerId[32];
    public fixed byte Model[16];
    public fixed byte SerialNumber[16];
    public ulong Flags;
    public ulong MaxSessionCount;
    public ulong SessionCount;
    public ulong MaxRwSessionCount;
    public ulong RwSessionCount;
    public ulong MaxPinLen;
    public ulong MinPinLen;
    public ulong TotalPublicMemory;
    public ulong FreePublicMemory;
    public ulong TotalPrivateMemory;
    public ulong FreePrivateMemory;
    public CkVersion HardwareVersion;
    public CkVersion FirmwareVersion;
    public fixed byte UtcTime[16];
}

[StructLayout(LayoutKind.Sequential)]
internal struct CkSessionInfo
{
    public ulong SlotId;
    public ulong State;
    public ulong Flags;
    public ulong DeviceError;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkAttribute
{
    public ulong Type;
    public void* Value;
    public ulong ValueLen;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkMechanism
{
    public ulong Mechanism;
    public void* Parameter;
    public ulong ParameterLen;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CkMechanismInfo
{
    public ulong MinKeySize;
    public ulong MaxKeySize;
    public ulong Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CkRsaPkcsPssParams
{
    public ulong HashAlg;
    public ulong Mgf;
    public ulong SaltLength;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CkCInitializeArgs
{
    // All four mutex callbacks stay null: with CKF_OS_LOCKING_OK the module uses its own OS locks.
    public void* CreateMutex;
    public void* DestroyMutex;
    public void* LockMutex;
    public void* UnlockMutex;
    public ulong Flags;
    // Must be null: SoftHSM answers CKR_ARGUMENTS_BAD otherwise.
    public void* Reserved;
}

/// <summary>Decodes the blank-padded, non NUL-terminated text fields of PKCS#11 structs.</summary>
internal static unsafe class PaddedText
{
    // Fields are blank padded per the standard, but some modules pad with NUL bytes, so trim both.
    public static string Decode(byte* p, int length) => Encoding.UTF8.GetString(p, length).TrimEnd(' ', '\0');

    /// <summary>Encodes a label for C_InitToken: exactly 32 bytes, blank padded, no NUL, no length argument.</summary>
    public static byte[] EncodeLabel(string label)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(label);
        if (utf8.Length > 32)
        {
            throw new ArgumentException("A token label is at most 32 UTF-8 bytes.", nameof(label));
        }

        var padded = new byte[32];
        Array.Fill(padded, (byte)' ');
        utf8.CopyTo(padded, 0);
        return padded;
    }
}

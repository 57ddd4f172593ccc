namespace AuthService.Pkcs11.Tokens;

/// <summary>CKA_CLASS values addressed by the RFC 7512 <c>type</c> attribute.</summary>
public enum Pkcs11ObjectClass
{
    /// <summary>CKO_DATA.</summary>
    Data = 0,

    /// <summary>CKO_CERTIFICATE.</summary>
    Certificate = 1,

    /// <summary>CKO_PUBLIC_KEY.</summary>
    PublicKey = 2,

    /// <summary>CKO_PRIVATE_KEY.</summary>
    PrivateKey = 3,

    /// <summary>CKO_SECRET_KEY.</summary>
    SecretKey = 4,
}

/// <summary>CK_INFO of a module.</summary>
/// <param name="CryptokiVersion">The PKCS#11 version the module implements (e.g. 2.40).</param>
/// <param name="Manufacturer">manufacturerID, blank-trimmed.</param>
/// <param name="Description">libraryDescription, blank-trimmed.</param>
/// <param name="LibraryVersion">libraryVersion.</param>
public sealed record Pkcs11ModuleInfo(Version CryptokiVersion, string Manufacturer, string Description, Version LibraryVersion);

/// <summary>CK_SLOT_INFO plus the token in it, if any.</summary>
/// <param name="SlotId">The slot ID: not stable across processes; select tokens by label or serial.</param>
/// <param name="Description">slotDescription.</param>
/// <param name="Manufacturer">manufacturerID.</param>
/// <param name="Flags">CKF_TOKEN_PRESENT (1), CKF_REMOVABLE_DEVICE (2), CKF_HW_SLOT (4).</param>
/// <param name="Token">The token, when one is present.</param>
public sealed record Pkcs11SlotInfo(ulong SlotId, string Description, string Manufacturer, ulong Flags, Pkcs11TokenInfo? Token)
{
    /// <summary>True when a token is present in the slot.</summary>
    public bool TokenPresent => (Flags & 0x1) != 0;
}

/// <summary>CK_TOKEN_INFO.</summary>
/// <param name="Label">label, blank-trimmed.</param>
/// <param name="Manufacturer">manufacturerID.</param>
/// <param name="Model">model.</param>
/// <param name="SerialNumber">serialNumber.</param>
/// <param name="Flags">CKF_* token flags (CKF_TOKEN_INITIALIZED 0x400, CKF_USER_PIN_INITIALIZED 0x8, ...).</param>
/// <param name="MinPinLength">ulMinPinLen.</param>
/// <param name="MaxPinLength">ulMaxPinLen.</param>
public sealed record Pkcs11TokenInfo(string Label, string Manufacturer, string Model, string SerialNumber, ulong Flags, ulong MinPinLength, ulong MaxPinLength)
{
    /// <summary>CKF_TOKEN_INITIALIZED. A blank SoftHSM token also reports SO_PIN_LOCKED, so test this flag.</summary>
    public bool Initialized => (Flags & 0x400) != 0;

    /// <summary>CKF_USER_PIN_INITIALIZED.</summary>
    public bool UserPinInitialized => (Flags & 0x8) != 0;

    /// <summary>CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered recently.</summary>
    public bool UserPinCountLow => (Flags & 0x10000) != 0;

    /// <summary>CKF_USER_PIN_LOCKED.</summary>
    public bool UserPinLocked => (Flags & 0x40000) != 0;
}

/// <summary>A mechanism a token supports, with CK_MECHANISM_INFO.</summary>
/// <param name="Type">CKM_* value.</param>
/// <param name="Name">CKM_* name when known, else hex.</param>
/// <param name="MinKeySize">ulMinKeySize.</param>
/// <param name="MaxKeySize">ulMaxKeySize.</param>
/// <param name="Flags">CKF_SIGN 0x800, CKF_VERIFY 0x2000, CKF_GENERATE_KEY_PAIR 0x10000, ...</param>
public sealed record Pkcs11MechanismInfo(ulong Type, string Name, ulong MinKeySize, ulong MaxKeySize, ulong Flags)
{
    /// <summary>CKF_SIGN.</summary>
    public bool CanSign => (Flags & 0x800) != 0;
}

/// <summary>An object on a token as seen by a search: never key material.</summary>
/// <param name="Class">CKA_CLASS.</param>
/// <param name="Label">CKA_LABEL.</param>
/// <param name="Id">CKA_ID (binary).</param>
/// <param name="KeyType">CKA_KEY_TYPE for keys ("RSA", "EC"), else null.</param>
public sealed record Pkcs11ObjectInfo(Pkcs11ObjectClass Class, string Label, byte[] Id, string? KeyType)
{
    internal ulong Handle { get; init; }

    /// <summary>Hex of <see cref="Id"/> as the tools print it (--id).</summary>
    public string IdHex => Convert.ToHexStringLower(Id);

    /// <summary>A description for error messages: class, label, id.</summary>
    public override string ToString() => $"{Class} label='{Label}' id={IdHex}";
}

/// <summary>
/// What an operator may see of an object (for <c>authservice token list</c>): never key material. Flags the module
/// does not report are null.
/// </summary>
/// <param name="Class">CKA_CLASS.</param>
/// <param name="Label">CKA_LABEL.</param>
/// <param name="Id">CKA_ID (binary).</param>
/// <param name="KeyType">"RSA", "EC" or null.</param>
/// <param name="KeySizeBits">Modulus bits (RSA) or field bits (EC), for keys; else null.</param>
/// <param name="Sensitive">CKA_SENSITIVE of private keys.</param>
/// <param name="Extractable">CKA_EXTRACTABLE of private keys.</param>
/// <param name="Private">CKA_PRIVATE.</param>
/// <param name="CertificateDer">CKA_VALUE of certificates (public data), else null.</param>
public sealed record Pkcs11ObjectDetails(Pkcs11ObjectClass Class, string Label, byte[] Id, string? KeyType, int? KeySizeBits, bool? Sensitive, bool? Extractable, bool? Private, byte[]? CertificateDer)
{
    /// <summary>Hex of <see cref="Id"/> as the tools print it (--id).</summary>
    public string IdHex => Convert.ToHexStringLower(Id);
}

namespace AuthService.Pkcs11.Native;

// Constant values from PKCS#11 v2.40 (OASIS headers and p11-kit's pkcs11.h). Only the ones this binding uses.

internal static class Ckr
{
    public const ulong Ok = 0x0;
    public const ulong SlotIdInvalid = 0x3;
    public const ulong GeneralError = 0x5;
    public const ulong AttributeSensitive = 0x11;
    public const ulong AttributeTypeInvalid = 0x12;
    public const ulong DeviceError = 0x30;
    public const ulong DeviceRemoved = 0x32;
    public const ulong KeyHandleInvalid = 0x60;
    public const ulong KeyTypeInconsistent = 0x63;
    public const ulong KeyFunctionNotPermitted = 0x68;
    public const ulong MechanismInvalid = 0x70;
    public const ulong ObjectHandleInvalid = 0x82;
    public const ulong OperationActive = 0x90;
    public const ulong PinIncorrect = 0xA0;
    public const ulong PinLocked = 0xA4;
    public const ulong SessionClosed = 0xB0;
    public const ulong SessionHandleInvalid = 0xB3;
    public const ulong SessionExists = 0xB6;
    public const ulong SignatureInvalid = 0xC0;
    public const ulong SignatureLenRange = 0xC1;
    public const ulong TokenNotPresent = 0xE0;
    public const ulong TokenNotRecognized = 0xE1;
    public const ulong UserAlreadyLoggedIn = 0x100;
    public const ulong UserNotLoggedIn = 0x101;
    public const ulong UserPinNotInitialized = 0x102;
    public const ulong BufferTooSmall = 0x150;
    public const ulong CryptokiNotInitialized = 0x190;
    public const ulong CryptokiAlreadyInitialized = 0x191;
}

internal static class Cka
{
    public const ulong Class = 0x0;
    public const ulong Token = 0x1;
    public const ulong Private = 0x2;
    public const ulong Label = 0x3;
    public const ulong Value = 0x11;
    public const ulong CertificateType = 0x80;
    public const ulong Issuer = 0x81;
    public const ulong SerialNumber = 0x82;
    public const ulong KeyType = 0x100;
    public const ulong Subject = 0x101;
    public const ulong Id = 0x102;
    public const ulong Sensitive = 0x103;
    public const ulong Encrypt = 0x104;
    public const ulong Decrypt = 0x105;
    public const ulong Wrap = 0x106;
    public const ulong Unwrap = 0x107;
    public const ulong Sign = 0x108;
    public const ulong Verify = 0x10A;
    public const ulong Derive = 0x10C;
    public const ulong Modulus = 0x120;
    public const ulong ModulusBits = 0x121;
    public const ulong PublicExponent = 0x122;
    public const ulong PrivateExponent = 0x123;
    public const ulong Prime1 = 0x124;
    public const ulong Prime2 = 0x125;
    public const ulong Exponent1 = 0x126;
    public const ulong Exponent2 = 0x127;
    public const ulong Coefficient = 0x128;
    public const ulong Extractable = 0x162;
    public const ulong Local = 0x163;
    public const ulong NeverExtractable = 0x164;
    public const ulong AlwaysSensitive = 0x165;
    public const ulong EcParams = 0x180;
    public const ulong EcPoint = 0x181;
    public const ulong AlwaysAuthenticate = 0x202;
}

internal static class Cko
{
    public const ulong Data = 0;
    public const ulong Certificate = 1;
    public const ulong PublicKey = 2;
    public const ulong PrivateKey = 3;
    public const ulong SecretKey = 4;
}

internal static class Ckk
{
    public const ulong Rsa = 0;
    public const ulong Ec = 3;
}

internal static class Ckc
{
    public const ulong X509 = 0;
}

internal static class Ckm
{
    public const ulong RsaPkcsKeyPairGen = 0x0;
    public const ulong RsaPkcs = 0x1;
    public const ulong RsaPkcsPss = 0xD;
    public const ulong Sha256RsaPkcs = 0x40;
    public const ulong Sha384RsaPkcs = 0x41;
    public const ulong Sha512RsaPkcs = 0x42;
    public const ulong Sha256RsaPkcsPss = 0x43;
    public const ulong Sha384RsaPkcsPss = 0x44;
    public const ulong Sha512RsaPkcsPss = 0x45;
    public const ulong Sha256 = 0x250;
    public const ulong Sha384 = 0x260;
    public const ulong Sha512 = 0x270;
    public const ulong EcKeyPairGen = 0x1040;
    public const ulong Ecdsa = 0x1041;
}

internal static class Ckg
{
    public const ulong Mgf1Sha256 = 2;
    public const ulong Mgf1Sha384 = 3;
    public const ulong Mgf1Sha512 = 4;
}

internal static class Cku
{
    public const ulong So = 0;
    public const ulong User = 1;
    public const ulong ContextSpecific = 2;
}

internal static class Ckf
{
    public const ulong OsLockingOk = 0x2;
    public const ulong RwSession = 0x2;
    public const ulong SerialSession = 0x4;
    public const ulong TokenPresent = 0x1;
    public const ulong TokenInitialized = 0x400;
    public const ulong UserPinInitialized = 0x8;
}

internal static class Cks
{
    public const ulong RoPublicSession = 0;
    public const ulong RoUserFunctions = 1;
    public const ulong RwPublicSession = 2;
    public const ulong RwUserFunctions = 3;
}

internal static class CkConstants
{
    /// <summary>CK_UNAVAILABLE_INFORMATION: (~0UL), the length reported for sensitive or absent attributes.</summary>
    public const ulong UnavailableInformation = ulong.MaxValue;
}

using System.Globalization;

namespace AuthService.Pkcs11.Native;

/// <summary>Names of the mechanisms reported by the modules this service targets, for listings.</summary>
internal static class MechanismNames
{
    private static readonly Dictionary<ulong, string> Names = new()
    {
        [0x0] = "CKM_RSA_PKCS_KEY_PAIR_GEN", [0x1] = "CKM_RSA_PKCS", [0x3] = "CKM_RSA_X_509", [0x6] = "CKM_SHA1_RSA_PKCS",
        [0x9] = "CKM_RSA_PKCS_OAEP", [0xD] = "CKM_RSA_PKCS_PSS", [0xE] = "CKM_SHA1_RSA_PKCS_PSS",
        [0x40] = "CKM_SHA256_RSA_PKCS", [0x41] = "CKM_SHA384_RSA_PKCS", [0x42] = "CKM_SHA512_RSA_PKCS",
        [0x43] = "CKM_SHA256_RSA_PKCS_PSS", [0x44] = "CKM_SHA384_RSA_PKCS_PSS", [0x45] = "CKM_SHA512_RSA_PKCS_PSS",
        [0x46] = "CKM_SHA224_RSA_PKCS", [0x47] = "CKM_SHA224_RSA_PKCS_PSS", [0x220] = "CKM_SHA_1", [0x221] = "CKM_SHA_1_HMAC",
        [0x250] = "CKM_SHA256", [0x251] = "CKM_SHA256_HMAC", [0x255] = "CKM_SHA224", [0x260] = "CKM_SHA384",
        [0x261] = "CKM_SHA384_HMAC", [0x270] = "CKM_SHA512", [0x271] = "CKM_SHA512_HMAC", [0x350] = "CKM_GENERIC_SECRET_KEY_GEN",
        [0x1040] = "CKM_EC_KEY_PAIR_GEN", [0x1041] = "CKM_ECDSA", [0x1042] = "CKM_ECDSA_SHA1", [0x1044] = "CKM_ECDSA_SHA256",
        [0x1045] = "CKM_ECDSA_SHA384", [0x1046] = "CKM_ECDSA_SHA512", [0x1050] = "CKM_ECDH1_DERIVE",
        [0x1055] = "CKM_EC_EDWARDS_KEY_PAIR_GEN", [0x1057] = "CKM_EDDSA", [0x1080] = "CKM_AES_KEY_GEN",
        [0x1082] = "CKM_AES_CBC", [0x1085] = "CKM_AES_CBC_PAD", [0x1087] = "CKM_AES_GCM",
    };

    public static string Of(ulong type) => Names.TryGetValue(type, out string? name) ? name : "CKM_0x" + type.ToString("X", CultureInfo.InvariantCulture);
}

using System.Security.Cryptography;
using AuthService.Pkcs11.Native;

namespace AuthService.Pkcs11.Keys;

/// <summary>The signature schemes this layer offers.</summary>
public enum Pkcs11SignatureAlgorithm
{
    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256 (CKM_SHA256_RSA_PKCS).</summary>
    RsaPkcs1Sha256,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384 (CKM_SHA384_RSA_PKCS).</summary>
    RsaPkcs1Sha384,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512 (CKM_SHA512_RSA_PKCS).</summary>
    RsaPkcs1Sha512,

    /// <summary>RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (CKM_SHA256_RSA_PKCS_PSS).</summary>
    RsaPssSha256,

    /// <summary>RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt.</summary>
    RsaPssSha384,

    /// <summary>RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt.</summary>
    RsaPssSha512,

    /// <summary>ECDSA over a SHA-256 digest computed here, then CKM_ECDSA (SoftHSM has no CKM_ECDSA_SHA256).</summary>
    EcdsaSha256,

    /// <summary>ECDSA over a SHA-384 digest.</summary>
    EcdsaSha384,

    /// <summary>ECDSA over a SHA-512 digest.</summary>
    EcdsaSha512,
}

/// <summary>Mechanism, parameters and hash for each <see cref="Pkcs11SignatureAlgorithm"/>.</summary>
internal static class SignatureMechanisms
{
    public static bool IsEcdsa(Pkcs11SignatureAlgorithm a) => a is Pkcs11SignatureAlgorithm.EcdsaSha256 or Pkcs11SignatureAlgorithm.EcdsaSha384 or Pkcs11SignatureAlgorithm.EcdsaSha512;

    public static HashAlgorithmName Hash(Pkcs11SignatureAlgorithm a) => a switch
    {
        Pkcs11SignatureAlgorithm.RsaPkcs1Sha256 or Pkcs11SignatureAlgorithm.RsaPssSha256 or Pkcs11SignatureAlgorithm.EcdsaSha256 => HashAlgorithmName.SHA256,
        Pkcs11SignatureAlgorithm.RsaPkcs1Sha384 or Pkcs11SignatureAlgorithm.RsaPssSha384 or Pkcs11SignatureAlgorithm.EcdsaSha384 => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public static ulong Mechanism(Pkcs11SignatureAlgorithm a) => a switch
    {
        Pkcs11SignatureAlgorithm.RsaPkcs1Sha256 => Ckm.Sha256RsaPkcs,
        Pkcs11SignatureAlgorithm.RsaPkcs1Sha384 => Ckm.Sha384RsaPkcs,
        Pkcs11SignatureAlgorithm.RsaPkcs1Sha512 => Ckm.Sha512RsaPkcs,
        Pkcs11SignatureAlgorithm.RsaPssSha256 => Ckm.Sha256RsaPkcsPss,
        Pkcs11SignatureAlgorithm.RsaPssSha384 => Ckm.Sha384RsaPkcsPss,
        Pkcs11SignatureAlgorithm.RsaPssSha512 => Ckm.Sha512RsaPkcsPss,
        _ => Ckm.Ecdsa,
    };

    /// <summary>CK_RSA_PKCS_PSS_PARAMS as bytes (without them SoftHSM answers CKR_ARGUMENTS_BAD); empty otherwise.</summary>
    public static byte[] Parameter(Pkcs11SignatureAlgorithm a)
    {
        CkRsaPkcsPssParams? p = a switch
        {
            Pkcs11SignatureAlgorithm.RsaPssSha256 => new CkRsaPkcsPssParams { HashAlg = Ckm.Sha256, Mgf = Ckg.Mgf1Sha256, SaltLength = 32 },
            Pkcs11SignatureAlgorithm.RsaPssSha384 => new CkRsaPkcsPssParams { HashAlg = Ckm.Sha384, Mgf = Ckg.Mgf1Sha384, SaltLength = 48 },
            Pkcs11SignatureAlgorithm.RsaPssSha512 => new CkRsaPkcsPssParams { HashAlg = Ckm.Sha512, Mgf = Ckg.Mgf1Sha512, SaltLength = 64 },
            _ => null,
        };
        if (p is null)
        {
            return [];
        }

        CkRsaPkcsPssParams value = p.Value;
        return System.Runtime.InteropServices.MemoryMarshal.AsBytes(new ReadOnlySpan<CkRsaPkcsPssParams>(ref value)).ToArray();
    }

    public static Pkcs11SignatureAlgorithm For(Pkcs11KeyType keyType, HashAlgorithmName hash, RSASignaturePadding? padding)
    {
        bool pss = padding == RSASignaturePadding.Pss;
        return (keyType, hash.Name) switch
        {
            (Pkcs11KeyType.Ec, "SHA256") => Pkcs11SignatureAlgorithm.EcdsaSha256,
            (Pkcs11KeyType.Ec, "SHA384") => Pkcs11SignatureAlgorithm.EcdsaSha384,
            (Pkcs11KeyType.Ec, "SHA512") => Pkcs11SignatureAlgorithm.EcdsaSha512,
            (Pkcs11KeyType.Rsa, "SHA256") => pss ? Pkcs11SignatureAlgorithm.RsaPssSha256 : Pkcs11SignatureAlgorithm.RsaPkcs1Sha256,
            (Pkcs11KeyType.Rsa, "SHA384") => pss ? Pkcs11SignatureAlgorithm.RsaPssSha384 : Pkcs11SignatureAlgorithm.RsaPkcs1Sha384,
            (Pkcs11KeyType.Rsa, "SHA512") => pss ? Pkcs11SignatureAlgorithm.RsaPssSha512 : Pkcs11SignatureAlgorithm.RsaPkcs1Sha512,
            _ => throw new CryptographicException($"Hash algorithm {hash.Name} is not supported for {keyType} keys."),
        };
    }
}

/// <summary>CKA_KEY_TYPE of the keys this layer handles.</summary>
public enum Pkcs11KeyType
{
    /// <summary>CKK_RSA.</summary>
    Rsa,

    /// <summary>CKK_EC.</summary>
    Ec,
}

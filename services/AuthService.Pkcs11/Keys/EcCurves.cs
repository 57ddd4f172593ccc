using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;

namespace AuthService.Pkcs11.Keys;

/// <summary>The named curves this layer imports, generates and reads.</summary>
internal static class EcCurves
{
    public const string P256 = "1.2.840.10045.3.1.7";
    public const string P384 = "1.3.132.0.34";
    public const string P521 = "1.3.132.0.35";

    public static string Oid(ECCurve curve)
    {
        string? oid = curve.Oid?.Value;
        if (string.IsNullOrEmpty(oid))
        {
            oid = curve.Oid?.FriendlyName switch
            {
                "nistP256" or "ECDSA_P256" or "secp256r1" => P256,
                "nistP384" or "ECDSA_P384" or "secp384r1" => P384,
                "nistP521" or "ECDSA_P521" or "secp521r1" => P521,
                _ => null,
            };
        }

        return oid is P256 or P384 or P521
            ? oid
            : throw new Pkcs11Exception("ImportPrivateKey", Pkcs11ErrorKind.InvalidInput, "only the named curves P-256, P-384 and P-521 are supported", "use a P-256 or P-384 key");
    }

    public static int FieldBits(string oid) => oid switch
    {
        P256 => 256,
        P384 => 384,
        P521 => 521,
        _ => 0,
    };

    public static int FieldBits(byte[]? ecParams)
    {
        if (ecParams is null)
        {
            return 0;
        }

        try
        {
            return FieldBits(Der.DecodeOid(ecParams));
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return 0;
        }
    }

    public static ECDsa ToPublicKey(byte[] ecParams, byte[] ecPoint)
    {
        string oid = Der.DecodeOid(ecParams);
        int size = (FieldBits(oid) + 7) / 8;
        byte[] point = Der.UnwrapEcPoint(ecPoint, size);
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.CreateFromValue(oid),
            Q = new ECPoint { X = point[1..(1 + size)], Y = point[(1 + size)..] },
        });
    }
}

using System.Formats.Asn1;
using System.Security.Cryptography;

namespace AuthService.Pkcs11.Keys;

/// <summary>The DER encodings PKCS#11 attributes and signatures need.</summary>
internal static class Der
{
    /// <summary>
    /// CKM_ECDSA returns r‖s (each half zero-padded to the order size); X.509, CMS and AWS want
    /// SEQUENCE { INTEGER r, INTEGER s } (RFC 3279 §2.2.3).
    /// </summary>
    public static byte[] EcdsaRawToDer(ReadOnlySpan<byte> rs)
    {
        if (rs.Length == 0 || rs.Length % 2 != 0)
        {
            throw new CryptographicException("An ECDSA r||s signature has an even, non-zero length.");
        }

        int n = rs.Length / 2;
        var w = new AsnWriter(AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteIntegerUnsigned(TrimLeadingZeros(rs[..n]));
            w.WriteIntegerUnsigned(TrimLeadingZeros(rs[n..]));
        }

        return w.Encode();
    }

    /// <summary>The reverse, for C_Verify(CKM_ECDSA), which rejects DER with CKR_SIGNATURE_LEN_RANGE.</summary>
    public static byte[] EcdsaDerToRaw(ReadOnlySpan<byte> der, int fieldSizeBytes)
    {
        var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
        AsnReader seq = reader.ReadSequence();
        ReadOnlySpan<byte> r = TrimLeadingZeros(seq.ReadIntegerBytes().Span);
        ReadOnlySpan<byte> s = TrimLeadingZeros(seq.ReadIntegerBytes().Span);
        seq.ThrowIfNotEmpty();
        reader.ThrowIfNotEmpty();
        if (r.Length > fieldSizeBytes || s.Length > fieldSizeBytes)
        {
            throw new CryptographicException("The ECDSA signature does not fit the curve.");
        }

        var raw = new byte[2 * fieldSizeBytes];
        r.CopyTo(raw.AsSpan(fieldSizeBytes - r.Length));
        s.CopyTo(raw.AsSpan(2 * fieldSizeBytes - s.Length));
        return raw;
    }

    /// <summary>CKA_EC_PARAMS: the named curve as a DER OBJECT IDENTIFIER.</summary>
    public static byte[] EncodeOid(string oid)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.WriteObjectIdentifier(oid);
        return w.Encode();
    }

    public static string DecodeOid(ReadOnlySpan<byte> der)
    {
        var reader = new AsnReader(der.ToArray(), AsnEncodingRules.DER);
        string oid = reader.ReadObjectIdentifier();
        reader.ThrowIfNotEmpty();
        return oid;
    }

    /// <summary>
    /// CKA_EC_POINT is a DER OCTET STRING around the X9.62 point. SoftHSM accepts an unwrapped point on
    /// C_CreateObject and then fails every verification, so always wrap.
    /// </summary>
    public static byte[] WrapOctetString(ReadOnlySpan<byte> value)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.WriteOctetString(value);
        return w.Encode();
    }

    /// <summary>Reads CKA_EC_POINT in either form: some modules return the raw point.</summary>
    public static byte[] UnwrapEcPoint(ReadOnlySpan<byte> value, int fieldSizeBytes)
    {
        if (value.Length == 1 + (2 * fieldSizeBytes) && value[0] == 0x04)
        {
            return value.ToArray();
        }

        var reader = new AsnReader(value.ToArray(), AsnEncodingRules.DER);
        byte[] point = reader.ReadOctetString();
        reader.ThrowIfNotEmpty();
        return point;
    }

    /// <summary>CKA_SERIAL_NUMBER of a certificate is the DER INTEGER, tag and length included.</summary>
    public static byte[] EncodeInteger(ReadOnlySpan<byte> bigEndianTwosComplement)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        w.WriteInteger(bigEndianTwosComplement);
        return w.Encode();
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        int i = 0;
        while (i < value.Length - 1 && value[i] == 0)
        {
            i++;
        }

        return value[i..];
    }
}

using System.Formats.Asn1;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Aws.Signing.X509;

/// <summary>Encodings SigV4-X509 needs: algorithm names, the decimal certificate serial, ECDSA signature forms.</summary>
public static class X509SignatureFormat
{
    /// <summary>The SigV4-X509 algorithm name for a key type.</summary>
    public static string AlgorithmName(X509SigningAlgorithm algorithm) => algorithm switch
    {
        X509SigningAlgorithm.Rsa => "AWS4-X509-RSA-SHA256",
        X509SigningAlgorithm.Ecdsa => "AWS4-X509-ECDSA-SHA256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Only RSA and ECDSA keys can sign Roles Anywhere requests."),
    };

    /// <summary>The certificate serial as an unsigned big-endian integer in decimal (the SigV4-X509 credential id).</summary>
    /// <remarks>X509Certificate.GetSerialNumber() is little-endian, and SerialNumber is hex: neither is usable as is.</remarks>
    public static string SerialDecimal(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new BigInteger(certificate.GetSerialNumber(), isUnsigned: true, isBigEndian: false).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Converts a raw ECDSA signature <c>r || s</c> (PKCS#11 <c>CKM_ECDSA</c>, IEEE P1363) to DER <c>SEQUENCE { r, s }</c>.</summary>
    public static byte[] EcdsaRawToDer(ReadOnlySpan<byte> rawSignature)
    {
        if (rawSignature.Length == 0 || rawSignature.Length % 2 != 0)
        {
            throw new ArgumentException($"A raw ECDSA signature is r || s of equal halves; got {rawSignature.Length} bytes.", nameof(rawSignature));
        }

        var half = rawSignature.Length / 2;
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(TrimLeadingZeros(rawSignature[..half]));
            writer.WriteIntegerUnsigned(TrimLeadingZeros(rawSignature[half..]));
        }

        return writer.Encode();
    }

    // P1363 halves are fixed-width; DER integers must be minimal (AsnWriter rejects redundant leading zeros).
    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var start = 0;
        while (start < value.Length - 1 && value[start] == 0)
        {
            start++;
        }

        return value[start..];
    }
}

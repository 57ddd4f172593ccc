using System.Text;

namespace AuthService.Pkcs11.Uris;

/// <summary>Percent-encoding per RFC 3986 §2.1 with the character sets of RFC 7512 §2.3.</summary>
internal static class PercentEncoding
{
    // pk11-res-avail = ":" / "[" / "]" / "@" / "!" / "$" / "'" / "(" / ")" / "*" / "+" / "," / "="
    private const string ResAvail = ":[]@!$'()*+,=";

    /// <summary>pk11-pchar: unreserved, pk11-res-avail and "&amp;".</summary>
    public static bool IsPathChar(char c) => IsUnreserved(c) || ResAvail.Contains(c, StringComparison.Ordinal) || c == '&';

    /// <summary>pk11-qchar: unreserved, pk11-res-avail, "/", "?" and "|".</summary>
    public static bool IsQueryChar(char c) => IsUnreserved(c) || ResAvail.Contains(c, StringComparison.Ordinal) || c is '/' or '?' or '|';

    public static bool IsUnreserved(char c) => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.' or '_' or '~';

    /// <summary>Decodes to bytes; every literal character must be allowed in the component.</summary>
    public static byte[] Decode(string value, string attribute, bool query)
    {
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length)
                {
                    throw new Pkcs11UriFormatException(attribute, "a '%' must be followed by two hex digits");
                }

                int hi = Hex(value[i + 1]);
                int lo = Hex(value[i + 2]);
                if (hi < 0 || lo < 0)
                {
                    throw new Pkcs11UriFormatException(attribute, $"'%{value[i + 1]}{value[i + 2]}' is not a valid percent-encoding");
                }

                bytes.Add((byte)((hi << 4) | lo));
                i += 2;
            }
            else if (query ? IsQueryChar(c) : IsPathChar(c))
            {
                bytes.Add((byte)c);
            }
            else
            {
                string where = query ? "query" : "path";
                throw new Pkcs11UriFormatException(attribute, $"the character '{Printable(c)}' must be percent-encoded in the {where} (as {EncodeChar(c)})");
            }
        }

        return [.. bytes];
    }

    /// <summary>Decodes and requires valid UTF-8 (every attribute except id is text).</summary>
    public static string DecodeText(string value, string attribute, bool query)
    {
        byte[] bytes = Decode(value, attribute, query);
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new Pkcs11UriFormatException(attribute, "the value is not valid UTF-8 after percent-decoding");
        }
    }

    /// <summary>Encodes text: UTF-8, then every byte outside the allowed set as uppercase %XX.</summary>
    public static string EncodeText(string value, bool query)
    {
        var sb = new StringBuilder(value.Length);
        foreach (byte b in Encoding.UTF8.GetBytes(value))
        {
            char c = (char)b;
            if (b < 0x80 && (query ? IsQueryChar(c) : IsPathChar(c)))
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
            }
        }

        return sb.ToString();
    }

    /// <summary>The id is binary: every byte is percent-encoded, as RFC 7512 recommends.</summary>
    public static string EncodeEveryByte(ReadOnlySpan<byte> value)
    {
        var sb = new StringBuilder(value.Length * 3);
        foreach (byte b in value)
        {
            sb.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 0xF]);
        }

        return sb.ToString();
    }

    private const string HexDigits = "0123456789ABCDEF";

    private static int Hex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static string EncodeChar(char c) => EncodeText(c.ToString(), query: false);

    private static string Printable(char c) => c == ' ' ? "space" : c.ToString();
}

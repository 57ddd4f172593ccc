using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AwsEmulator.SigV4;

/// <summary>
/// AWS Signature Version 4 canonical request and string to sign, rebuilt from the wire
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html). Written for the emulator,
/// independently of the project's client signer, so the two can catch each other's mistakes.
/// </summary>
internal static class SigV4Canonicalizer
{
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>The canonical request of <paramref name="request"/> over <paramref name="signedHeaders"/>.</summary>
    /// <remarks><paramref name="excludeQueryKey"/> is left out of the query (X-Amz-Signature in presigned URLs);
    /// <paramref name="normalizePath"/> removes '.', '..' and empty segments, as every service but S3 does.</remarks>
    public static string CanonicalRequest(WireRequest request, IReadOnlyList<string> signedHeaders, string? excludeQueryKey, bool normalizePath)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(CanonicalUri(request.RawPath, normalizePath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery, excludeQueryKey)).Append('\n');
        foreach (var name in signedHeaders)
        {
            builder.Append(name).Append(':').Append(CanonicalHeaderValue(request.HeaderValues(name))).Append('\n');
        }

        builder.Append('\n').Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(Hex(SHA256.HashData(request.Body)));
        return builder.ToString();
    }

    public static string StringToSign(string algorithm, string amzDate, string scope, string canonicalRequest) =>
        $"{algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    /// <summary>kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").</summary>
    public static byte[] SigningKey(string secretAccessKey, string date, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    public static string HmacSignature(byte[] signingKey, string stringToSign) =>
        Hex(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>
    /// The path as sent is itself encoded once more (the non-S3 "double encoding" rule): clients encode the path
    /// for the wire, then encode that string again for the canonical request.
    /// </summary>
    public static string CanonicalUri(string rawPath, bool normalize)
    {
        var path = rawPath.Length == 0 ? "/" : rawPath;
        if (normalize)
        {
            var segments = new List<string>();
            foreach (var segment in path.Split('/'))
            {
                if (segment is "" or ".")
                {
                    continue;
                }

                if (segment == "..")
                {
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    continue;
                }

                segments.Add(segment);
            }

            var trailing = segments.Count > 0 && (path.EndsWith('/') || path.EndsWith("/.", StringComparison.Ordinal));
            path = "/" + string.Join('/', segments) + (trailing ? "/" : "");
        }

        return Encode(path, keepSlash: true);
    }

    /// <summary>Keys and values decoded, re-encoded per RFC 3986, sorted by key then value (byte order).</summary>
    public static string CanonicalQuery(string rawQuery, string? excludeKey)
    {
        var pairs = ParseQuery(rawQuery)
            .Where(p => p.Key != excludeKey)
            .Select(p => (Key: Encode(p.Key, false), Value: Encode(p.Value, false)))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Key + "=" + p.Value));
    }

    /// <summary>Splits a raw query; '+' stays a literal plus (SigV4 clients send spaces as %20).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string rawQuery)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var part in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            result.Add(new(Uri.UnescapeDataString(key), Uri.UnescapeDataString(value)));
        }

        return result;
    }

    /// <summary>Values of one header joined by ',', each trimmed, inner whitespace runs (and folded lines) collapsed.</summary>
    public static string CanonicalHeaderValue(IEnumerable<string> values) =>
        string.Join(',', values.Select(CollapseWhitespace));

    private static string CollapseWhitespace(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (c is ' ' or '\t' or '\r' or '\n')
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    /// <summary>RFC 3986 percent-encoding of UTF-8 with upper-case hex; only A-Z a-z 0-9 - _ . ~ (and '/' in paths) stay.</summary>
    public static string Encode(string value, bool keepSlash)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (c is >= 'A' and <= 'Z' or >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_' or '.' or '~' || (keepSlash && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    public static bool TryParseAmzDate(string? value, out DateTimeOffset date) =>
        DateTimeOffset.TryParseExact(value, DateFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
}

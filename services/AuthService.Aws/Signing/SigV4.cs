using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AuthService.Aws.Signing;

/// <summary>
/// The building blocks of AWS Signature Version 4 (SigV4): canonical request, string to sign, signing key.
/// Shared by the HMAC signer (<see cref="SigV4Signer"/>) and the X.509 signer (<see cref="X509.SigV4X509Signer"/>),
/// which differ only in how the string to sign is signed.
/// </summary>
/// <remarks>
/// Follows the AWS SigV4 specification as pinned by the aws-c-auth signing test suite: non-S3 rules, so the path
/// is URI-encoded once more even where it already holds '%' ("double encoding"), and optionally normalised.
/// </remarks>
public static class SigV4
{
    /// <summary>The HMAC algorithm name.</summary>
    public const string HmacSha256Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Hex SHA-256 of the empty string: the payload hash of a request without a body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// <summary>The <c>X-Amz-Date</c> format, <c>yyyyMMdd'T'HHmmss'Z'</c>, UTC.</summary>
    public static string FormatAmzDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The date part of the credential scope, <c>yyyyMMdd</c>, UTC.</summary>
    public static string FormatScopeDate(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>The credential scope: <c>yyyyMMdd/region/service/aws4_request</c>.</summary>
    public static string CredentialScope(DateTimeOffset time, string region, string service) =>
        $"{FormatScopeDate(time)}/{region}/{service}/aws4_request";

    /// <summary>Lowercase hex SHA-256 of <paramref name="data"/>.</summary>
    public static string HexSha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>RFC 3986 percent-encoding of the UTF-8 bytes of <paramref name="value"/>, uppercase hex;
    /// only unreserved characters (A-Z a-z 0-9 - _ . ~) stay, and '/' too when <paramref name="keepSlash"/>.</summary>
    public static string UriEncode(string value, bool keepSlash = false)
    {
        var builder = new StringBuilder(value.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (IsUnreserved(c) || (keepSlash && c == '/'))
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

    /// <summary>
    /// The canonical URI: the path as sent on the wire, optionally normalised (dot segments removed, empty segments
    /// collapsed), then percent-encoded (a '%' already present is encoded again, the non-S3 rule).
    /// </summary>
    public static string CanonicalUri(string wirePath, bool normalize)
    {
        var path = string.IsNullOrEmpty(wirePath) ? "/" : wirePath;
        if (normalize)
        {
            path = NormalizePath(path);
        }

        return UriEncode(path, keepSlash: true);
    }

    /// <summary>The canonical query string from decoded name/value pairs: each encoded, sorted by name then value.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> decodedQuery)
    {
        var encoded = decodedQuery
            .Select(p => (Name: UriEncode(p.Key), Value: UriEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', encoded.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>
    /// Canonical headers and the signed-headers list: lowercase names sorted, values trimmed with inner whitespace
    /// runs collapsed to one space, repeated headers joined with ',' in their original order.
    /// </summary>
    public static (string CanonicalHeaders, string SignedHeaders) CanonicalHeaders(
        IEnumerable<KeyValuePair<string, string>> headers)
    {
        var grouped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.Trim().ToLowerInvariant();
            if (!grouped.TryGetValue(key, out var values))
            {
                values = [];
                grouped.Add(key, values);
            }

            values.Add(CollapseWhitespace(value));
        }

        var canonical = new StringBuilder();
        foreach (var (name, values) in grouped)
        {
            canonical.Append(name).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        return (canonical.ToString(), string.Join(';', grouped.Keys));
    }

    /// <summary>The canonical request: method, URI, query, headers, signed headers and payload hash, one per line.</summary>
    public static string CanonicalRequest(
        string method, string canonicalUri, string canonicalQuery, string canonicalHeaders, string signedHeaders,
        string payloadHash) =>
        $"{method.ToUpperInvariant()}\n{canonicalUri}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{payloadHash}";

    /// <summary>The string to sign: algorithm, date, scope and the hex SHA-256 of the canonical request.</summary>
    public static string StringToSign(string algorithm, string amzDate, string credentialScope, string canonicalRequest) =>
        $"{algorithm}\n{amzDate}\n{credentialScope}\n{HexSha256(Encoding.UTF8.GetBytes(canonicalRequest))}";

    /// <summary>The derived signing key: HMAC chain over date, region, service and "aws4_request".</summary>
    public static byte[] SigningKey(string secretAccessKey, string scopeDate, string region, string service)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(scopeDate));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }

    /// <summary>The Authorization header value.</summary>
    public static string Authorization(string algorithm, string credentialId, string credentialScope, string signedHeaders, string signatureHex) =>
        $"{algorithm} Credential={credentialId}/{credentialScope}, SignedHeaders={signedHeaders}, Signature={signatureHex}";

    /// <summary>Parses a raw query string ("a=1&amp;b") into percent-decoded name/value pairs.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ParseQuery(string? rawQuery)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(rawQuery))
        {
            return result;
        }

        foreach (var part in rawQuery.TrimStart('?').Split('&'))
        {
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? string.Empty : part[(equals + 1)..];
            result.Add(new(Uri.UnescapeDataString(name), Uri.UnescapeDataString(value)));
        }

        return result;
    }

    private static bool IsUnreserved(char c) =>
        c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.' or '~';

    // RFC 3986 remove_dot_segments, plus collapsing empty segments ("//"), keeping a trailing slash.
    private static string NormalizePath(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
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

        var normalized = "/" + string.Join('/', segments);
        if (segments.Count > 0 && path.EndsWith('/'))
        {
            normalized += "/";
        }

        return normalized;
    }

    private static string CollapseWhitespace(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var c in value.Trim())
        {
            if (char.IsWhiteSpace(c))
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
}

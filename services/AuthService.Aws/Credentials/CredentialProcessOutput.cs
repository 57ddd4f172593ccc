using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AuthService.Aws.Credentials;

/// <summary>The <c>credential_process</c> JSON (Version 1), read as the SDKs read it and written as <c>aws_signing_helper</c> writes it.</summary>
public static class CredentialProcessOutput
{
    /// <summary>Parses a process's stdout. Messages never quote it (it holds the secret key).</summary>
    /// <exception cref="FormatException">Not a Version 1 document with AccessKeyId and SecretAccessKey.</exception>
    public static AwsCredentials Parse(string stdout, string program)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stdout);
        }
        catch (JsonException)
        {
            throw new FormatException($"credential_process '{program}' printed something that is not JSON: it must print {{\"Version\":1,\"AccessKeyId\":...,\"SecretAccessKey\":...}} on stdout.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"credential_process '{program}' printed JSON that is not an object.");
            }

            if (!root.TryGetProperty("Version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetDouble() != 1)
            {
                throw new FormatException($"credential_process '{program}' printed no \"Version\": 1; only Version 1 is defined.");
            }

            var accessKeyId = RequiredString(root, "AccessKeyId", program);
            var secretAccessKey = RequiredString(root, "SecretAccessKey", program);
            var sessionToken = root.TryGetProperty("SessionToken", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
            DateTimeOffset? expiration = null;
            if (root.TryGetProperty("Expiration", out var expiry) && expiry.ValueKind != JsonValueKind.Null)
            {
                if (expiry.ValueKind != JsonValueKind.String ||
                    !DateTimeOffset.TryParse(expiry.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    throw new FormatException($"credential_process '{program}' printed an Expiration that is not an ISO 8601 time such as 2025-12-11T16:34:25Z.");
                }

                expiration = parsed;
            }

            return new AwsCredentials(accessKeyId, secretAccessKey, string.IsNullOrEmpty(sessionToken) ? null : sessionToken, expiration);
        }
    }

    /// <summary>
    /// The JSON <c>aws_signing_helper credential-process</c> prints, byte for byte: compact, fields in the order
    /// Version, AccessKeyId, SecretAccessKey, SessionToken, Expiration, Go's string escaping, no trailing newline.
    /// </summary>
    public static string Format(AwsCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var builder = new StringBuilder("{\"Version\":1,\"AccessKeyId\":");
        GoString(builder, credentials.AccessKeyId);
        builder.Append(",\"SecretAccessKey\":");
        GoString(builder, credentials.SecretAccessKey);
        builder.Append(",\"SessionToken\":");
        GoString(builder, credentials.SessionToken ?? string.Empty);
        builder.Append(",\"Expiration\":");
        GoString(builder, credentials.Expiration is { } e ? e.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : string.Empty);
        return builder.Append('}').ToString();
    }

    private static string RequiredString(JsonElement root, string name, string program) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FormatException($"credential_process '{program}' printed no \"{name}\".");

    // encoding/json's escaping: quote, backslash, control characters, and <, >, &, U+2028, U+2029 (HTML-safe).
    private static void GoString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case < ' ' or '<' or '>' or '&' or '\u2028' or '\u2029':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}

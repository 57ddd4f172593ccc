using System.Text.Json;

namespace AuthService.Aws.Protocol;

/// <summary>
/// Reads the error code and message of an awsJson1_0/1_1 or restJson error response, per the Smithy protocol
/// spec: the <c>X-Amzn-Errortype</c> header first, then the top-level body <c>code</c> or <c>__type</c>
/// (never a nested one), sanitised; the message from <c>message</c> or <c>Message</c>.
/// </summary>
public static class AwsJsonError
{
    /// <summary>The sanitised code and the message; the code is the HTTP status number when none is named.</summary>
    public static (string Code, string? Message) Parse(AwsResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? code = response.Header("X-Amzn-Errortype");
        string? message = null;
        if (response.Body.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(response.Body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var root = document.RootElement;
                    code ??= StringMember(root, "code") ?? StringMember(root, "__type");
                    message = StringMember(root, "message") ?? StringMember(root, "Message");
                }
            }
            catch (JsonException)
            {
                // Not JSON (a proxy's HTML page, say): the status code is all there is.
            }
        }

        var sanitized = code is null ? null : Sanitize(code);
        return (string.IsNullOrEmpty(sanitized) ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : sanitized, message);
    }

    /// <summary>Keeps what is before the first ':', then what is after the first '#'.</summary>
    public static string Sanitize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var colon = code.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        return code.Trim();
    }

    private static string? StringMember(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

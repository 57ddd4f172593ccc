using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AwsEmulator.Tests.Support;

/// <summary>Access key, secret key and optional session token.</summary>
public sealed record TestCredentials(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);

/// <summary>
/// A deliberately minimal SigV4 signer for POST / requests (the only shape Secrets Manager and STS use), written
/// separately from the emulator's verifier; botocore and the official vectors are the independent checks.
/// </summary>
public static class TestSigner
{
    public static HttpRequestMessage Sign(Uri endpoint, string service, string region, TestCredentials credentials, DateTimeOffset at,
        string contentType, byte[] body, string? target = null)
    {
        var amzDate = at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var host = endpoint.IsDefaultPort ? endpoint.Host : $"{endpoint.Host}:{endpoint.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = contentType,
            ["host"] = host,
            ["x-amz-date"] = amzDate,
        };
        if (target is not null)
        {
            headers["x-amz-target"] = target;
        }

        if (credentials.SessionToken is not null)
        {
            headers["x-amz-security-token"] = credentials.SessionToken;
        }

        var signedHeaders = string.Join(";", headers.Keys);
        var canonical = "POST\n/\n\n" + string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")) + "\n" + signedHeaders + "\n"
            + Convert.ToHexStringLower(SHA256.HashData(body));
        var scope = $"{date}/{region}/{service}/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey);
        foreach (var part in new[] { date, region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(toSign)));
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoint, "/"))
        {
            Content = new ByteArrayContent(body),
        };
        message.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        message.Headers.Host = host;
        message.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (target is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        if (credentials.SessionToken is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.SessionToken);
        }

        message.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={credentials.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        return message;
    }
}

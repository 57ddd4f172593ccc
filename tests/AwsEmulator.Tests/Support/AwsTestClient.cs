using System.Text;
using System.Text.Json.Nodes;

namespace AwsEmulator.Tests.Support;

/// <summary>The status and parsed JSON body of a response.</summary>
public sealed record JsonReply(int Status, JsonObject Body, string Raw)
{
    public string? ErrorType => Body["__type"]?.GetValue<string>();

    public string? ErrorMessage => (Body["message"] ?? Body["Message"])?.GetValue<string>();
}

/// <summary>Sends signed Secrets Manager calls to a running emulator.</summary>
public sealed class AwsTestClient(Uri endpoint, TimeProvider time, HttpClient? http = null) : IDisposable
{
    private readonly HttpClient _http = http ?? new HttpClient();

    public HttpClient Http => _http;

    public async Task<JsonReply> SecretsManagerAsync(string operation, object body, TestCredentials credentials, DateTimeOffset? at = null)
    {
        var bytes = Encoding.UTF8.GetBytes(body as string ?? System.Text.Json.JsonSerializer.Serialize(body));
        using var request = TestSigner.Sign(endpoint, "secretsmanager", TestSeeds.Region, credentials, at ?? time.GetUtcNow(),
            "application/x-amz-json-1.1", bytes, "secretsmanager." + operation);
        return await SendAsync(request);
    }

    public async Task<JsonReply> SendAsync(HttpRequestMessage request)
    {
        using var response = await _http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var body = raw.Length > 0 && raw.TrimStart().StartsWith('{') ? (JsonNode.Parse(raw) as JsonObject ?? []) : [];
        return new JsonReply((int)response.StatusCode, body, raw);
    }

    public void Dispose() => _http.Dispose();
}

using System.Net;
using System.Net.Http.Headers;

namespace AuthService.Aws.Protocol;

/// <summary>A fully read HTTP response from an AWS endpoint.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="Headers">Response and content headers.</param>
/// <param name="Body">The body bytes (may hold secrets: never log it).</param>
public sealed record AwsResponse(HttpStatusCode StatusCode, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    /// <summary>Whether the status is 2xx.</summary>
    public bool IsSuccess => (int)StatusCode is >= 200 and <= 299;

    /// <summary>A header value (case-insensitive), or null.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The request id AWS assigned (x-amzn-RequestId or x-amz-request-id).</summary>
    public string? RequestId => Header("x-amzn-RequestId") ?? Header("x-amz-request-id");

    /// <summary>Reads <paramref name="response"/> completely.</summary>
    public static async Task<AwsResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Add(headers, response.Headers);
        Add(headers, response.Content.Headers);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return new AwsResponse(response.StatusCode, headers, body);
    }

    /// <summary>Describes status and headers only (the body may hold secrets).</summary>
    public override string ToString() => $"AwsResponse {{ {(int)StatusCode}, {Body.Length} bytes }}";

    private static void Add(Dictionary<string, string> target, HttpHeaders headers)
    {
        foreach (var (name, values) in headers.NonValidated)
        {
            target[name] = string.Join(',', values);
        }
    }
}

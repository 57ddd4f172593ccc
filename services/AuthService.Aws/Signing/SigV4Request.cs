namespace AuthService.Aws.Signing;

/// <summary>A request as SigV4 sees it, independent of any HTTP stack.</summary>
public sealed class SigV4Request
{
    /// <summary>The HTTP method, e.g. <c>POST</c>.</summary>
    public required string Method { get; init; }

    /// <summary>The path exactly as sent on the wire (already percent-encoded where the client encoded it).</summary>
    public required string Path { get; init; }

    /// <summary>The query parameters, percent-decoded, in any order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>The headers to sign, in request order (repeated names allowed). Must include <c>Host</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The request body (empty when there is none).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Builds the SigV4 view of an <see cref="HttpRequestMessage"/> whose body is <paramref name="body"/>.</summary>
    /// <remarks>
    /// Signs <c>Host</c> (with the port when it is not the scheme's default), <c>Content-Type</c> and every request
    /// header except those a proxy or the HTTP stack may change or add (User-Agent, Expect, Connection, ...), as
    /// botocore does; <c>Content-Length</c> is left out because HttpClient sets it after signing.
    /// </remarks>
    public static SigV4Request FromHttpRequest(HttpRequestMessage request, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no RequestUri: set an absolute URI before signing.", nameof(request));
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request URI must be absolute to be signed (SigV4 signs the Host).", nameof(request));
        }

        var headers = new List<KeyValuePair<string, string>> { new("host", HostHeader(uri)) };
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            if (!UnsignedHeaders.Contains(name))
            {
                headers.Add(new(name, string.Join(',', values)));
            }
        }

        if (request.Content?.Headers.NonValidated.TryGetValues("Content-Type", out var contentType) == true)
        {
            headers.Add(new("content-type", string.Join(',', contentType)));
        }

        return new SigV4Request
        {
            Method = request.Method.Method,
            Path = uri.AbsolutePath,
            Query = SigV4.ParseQuery(uri.Query),
            Headers = headers,
            Body = body,
        };
    }

    /// <summary>The Host header value for <paramref name="uri"/>: host, plus the port when it is not the default.</summary>
    public static string HostHeader(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return uri.IsDefaultPort ? uri.IdnHost : uri.Authority;
    }

    // Headers botocore leaves unsigned, plus hop-by-hop headers that proxies rewrite.
    private static readonly HashSet<string> UnsignedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "User-Agent", "Expect", "X-Amzn-Trace-Id", "Connection", "Transfer-Encoding",
        "Host", "Content-Length", "Keep-Alive", "Proxy-Authorization", "TE", "Upgrade",
    };
}

using System.Net;

namespace AuthService.Aws.Tests.Support;

/// <summary>An HttpMessageHandler that records each request (with its body) and answers from a script.</summary>
public sealed class RecordingHandler(Func<RecordedRequest, int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public RecordingHandler(params Func<HttpResponseMessage>[] responses)
        : this((_, attempt, _) => Task.FromResult(responses[Math.Min(attempt, responses.Length - 1)]()))
    {
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToList();
            }
        }
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string body, string contentType = "application/json")
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var headers = request.Headers.NonValidated.ToDictionary(h => h.Key, h => string.Join(',', h.Value), StringComparer.OrdinalIgnoreCase);
        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers.NonValidated)
            {
                headers[name] = string.Join(',', values);
            }
        }

        var recorded = new RecordedRequest(request.Method.Method, request.RequestUri!, headers, body);
        int attempt;
        lock (_requests)
        {
            attempt = _requests.Count;
            _requests.Add(recorded);
        }

        return await respond(recorded, attempt, cancellationToken);
    }
}

/// <summary>A request as the handler saw it.</summary>
public sealed record RecordedRequest(string Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

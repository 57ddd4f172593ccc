using Microsoft.AspNetCore.Http;

namespace AuthService.Grpc.Server;

/// <summary>What a handler knows about the call it serves.</summary>
public sealed class GrpcCallContext
{
    internal GrpcCallContext(HttpContext httpContext, string method, DateTimeOffset? deadline, CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The underlying HTTP/2 request: peer address, client certificate, Unix socket credentials.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The method path, e.g. "/grpc.health.v1.Health/Check".</summary>
    public string Method { get; }

    /// <summary>When the caller stops waiting (from grpc-timeout), or null for no deadline.</summary>
    public DateTimeOffset? Deadline { get; }

    /// <summary>Cancelled when the caller goes away or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; }
}

/// <summary>Writes response messages of a streaming call, one at a time.</summary>
/// <typeparam name="T">The response message type.</typeparam>
public interface IGrpcStreamWriter<in T>
{
    /// <summary>Sends one message and flushes it to the caller.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}

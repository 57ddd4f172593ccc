using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AuthService.Grpc.Server;

/// <summary>
/// The terminal middleware that serves gRPC over HTTP/2: checks the request is a gRPC call, finds the method,
/// applies grpc-encoding and grpc-timeout, runs the handler and turns its outcome into exactly one status.
/// Status codes for protocol errors follow PROTOCOL-HTTP2.md and the behaviour of the reference
/// implementations (unknown method: UNIMPLEMENTED; malformed frames and protobuf: INTERNAL).
/// </summary>
internal sealed class GrpcDispatcher
{
    private readonly GrpcMethodTable _methods;
    private readonly GrpcServerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public GrpcDispatcher(RequestDelegate next, GrpcMethodTable methods, IOptions<GrpcServerOptions> options, TimeProvider time, ILogger<GrpcDispatcher> logger)
    {
        _ = next;
        _methods = methods;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;
        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            // gRPC needs HTTP/2 (trailers, streams). Tell plain HTTP/1.1 clients so instead of failing obscurely.
            await RejectAsync(http, StatusCodes.Status426UpgradeRequired, $"gRPC requires HTTP/2; this request used {request.Protocol}.").ConfigureAwait(false);
            return;
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            await RejectAsync(http, StatusCodes.Status405MethodNotAllowed, "gRPC calls use POST.").ConfigureAwait(false);
            return;
        }

        if (!GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            // 415 rather than 200 + grpc-status, so a non-gRPC client cannot mistake the error for success.
            await RejectAsync(http, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not application/grpc.").ConfigureAwait(false);
            return;
        }

        response.ContentType = GrpcProtocol.ContentType;
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.SupportedEncodings;
        var path = request.Path.Value ?? string.Empty;

        string? requestEncoding = request.Headers[GrpcProtocol.EncodingHeader];
        var encodingSupported = requestEncoding is null or GrpcProtocol.IdentityEncoding or GrpcProtocol.GzipEncoding;
        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader].ToString();
        TimeSpan? timeout = null;
        if (timeoutHeader.Length > 0)
        {
            if (!GrpcProtocol.TryParseTimeout(timeoutHeader, out var parsed))
            {
                SetTrailersOnly(response, StatusCode.Internal, "Malformed grpc-timeout header: expected up to 8 digits and a unit (H, M, S, m, u, n).");
                return;
            }

            timeout = parsed;
        }

        if (!_methods.Methods.TryGetValue(path, out var method))
        {
            SetTrailersOnly(response, StatusCode.Unimplemented, $"Method not found: {Printable(path)}");
            return;
        }

        if (!encodingSupported)
        {
            SetTrailersOnly(
                response,
                StatusCode.Unimplemented,
                $"Message encoding '{Printable(requestEncoding!)}' is not supported; use one of: {GrpcProtocol.SupportedEncodings}.");
            return;
        }

        var gzipResponses = requestEncoding == GrpcProtocol.GzipEncoding && AcceptsGzip(request);
        if (gzipResponses)
        {
            response.Headers[GrpcProtocol.EncodingHeader] = GrpcProtocol.GzipEncoding;
        }

        await RunAsync(http, method, path, requestEncoding, gzipResponses, timeout).ConfigureAwait(false);
    }

    private async Task RunAsync(HttpContext http, GrpcMethodEntry method, string path, string? requestEncoding, bool gzipResponses, TimeSpan? timeout)
    {
        // Timeouts beyond what a timer can hold (about 49 days) are no deadline in practice.
        var hasDeadline = timeout is { } t && t < TimeSpan.FromDays(30);
        using var deadlineSource = hasDeadline ? new CancellationTokenSource(timeout!.Value, _time) : null;
        // Without a deadline the caller going away is the only cancellation: no linked source to allocate.
        using var callSource = deadlineSource is null ? null : CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadlineSource.Token);
        var deadline = timeout is null ? (DateTimeOffset?)null : _time.GetUtcNow() + timeout.Value;
        var context = new GrpcCallContext(http, path, deadline, callSource?.Token ?? http.RequestAborted);
        using var call = new ServerCall(http, _options, requestEncoding, gzipResponses, context);

        var handler = InvokeHandler(method, call);
        if (deadlineSource is not null && !handler.IsCompleted)
        {
            var deadlinePassed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = deadlineSource.Token.Register(() => deadlinePassed.TrySetResult()).ConfigureAwait(false);
            if (await Task.WhenAny(handler, deadlinePassed.Task).ConfigureAwait(false) != handler)
            {
                // Answer now; the handler sees its token cancelled and its later writes are refused. The
                // middleware still waits for it, so the HttpContext stays valid while it runs.
                GrpcServerLog.DeadlineExceeded(_logger, path, timeout!.Value);
                await call.CompleteAsync(StatusCode.DeadlineExceeded, "Deadline exceeded.", null, flushNow: true).ConfigureAwait(false);
                await ObserveAsync(handler).ConfigureAwait(false);
                return;
            }
        }

        var (code, message, trailers) = await OutcomeAsync(handler, http, deadlineSource, path).ConfigureAwait(false);
        GrpcServerLog.CallEnded(_logger, path, code);
        await call.CompleteAsync(code, message, trailers, flushNow: false).ConfigureAwait(false);
    }

    private static Task InvokeHandler(GrpcMethodEntry method, ServerCall call)
    {
        try
        {
            return method.Handler(call);
        }
        catch (Exception exception)
        {
            return Task.FromException(exception);
        }
    }

    /// <summary>The one place where a handler's outcome becomes a status.</summary>
    private async Task<(StatusCode Code, string? Message, IReadOnlyDictionary<string, string>? Trailers)> OutcomeAsync(
        Task handler, HttpContext http, CancellationTokenSource? deadlineSource, string path)
    {
        try
        {
            await handler.ConfigureAwait(false);
            return (StatusCode.OK, null, null);
        }
        catch (GrpcException exception)
        {
            return (exception.StatusCode, exception.Message, exception.Trailers);
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            GrpcServerLog.CallCancelled(_logger, path);
            return (StatusCode.Cancelled, "The caller cancelled the call.", null);
        }
        catch (OperationCanceledException) when (deadlineSource?.IsCancellationRequested == true)
        {
            return (StatusCode.DeadlineExceeded, "Deadline exceeded.", null);
        }
        catch (Exception exception)
        {
            GrpcServerLog.UnexpectedError(_logger, path, exception);
            var message = _options.EnableDetailedErrors
                ? $"Internal error: {exception.GetType().Name}: {exception.Message}"
                : "Internal error. The server log has the details.";
            return (StatusCode.Internal, message, null);
        }
    }

    private static async Task ObserveAsync(Task handler)
    {
        try
        {
            await handler.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The call already ended with DEADLINE_EXCEEDED; whatever the handler did after that is moot.
        }
    }

    private static void SetTrailersOnly(HttpResponse response, StatusCode code, string message) =>
        ServerCall.SetStatus(response.Headers, code, message, trailers: null);

    private async Task RejectAsync(HttpContext http, int status, string reason)
    {
        GrpcServerLog.RejectedRequest(_logger, reason);
        http.Response.StatusCode = status;
        http.Response.ContentType = "text/plain; charset=utf-8";
        if (status == StatusCodes.Status426UpgradeRequired)
        {
            http.Response.Headers.Upgrade = "h2c";
        }

        await http.Response.WriteAsync(reason + "\n", http.RequestAborted).ConfigureAwait(false);
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        foreach (var value in request.Headers[GrpcProtocol.AcceptEncodingHeader])
        {
            if (value is not null && value.Split(',', StringSplitOptions.TrimEntries).Contains(GrpcProtocol.GzipEncoding, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Echoes caller-supplied text safely: bounded length, printable ASCII only.</summary>
    private static string Printable(string value)
    {
        var clipped = value.Length > 200 ? value[..200] + "..." : value;
        return string.Create(clipped.Length, clipped, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = source[i] is >= ' ' and <= '~' ? source[i] : '?';
            }
        });
    }
}

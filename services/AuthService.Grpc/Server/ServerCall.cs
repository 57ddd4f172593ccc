using System.Runtime.CompilerServices;
using AuthService.Grpc.Framing;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace AuthService.Grpc.Server;

/// <summary>
/// The protocol state of one call: reads framed requests, writes framed responses, and ends the call with
/// exactly one status, in trailers or (when no message was sent) as a trailers-only response. Writes and the
/// final status are serialised, so a deadline that fires mid-write cannot interleave with the handler.
/// </summary>
internal sealed class ServerCall : IDisposable
{
    private readonly HttpContext _http;
    private readonly GrpcServerOptions _options;
    private readonly string? _requestEncoding;
    private readonly bool _gzipResponses;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _messageWritten;
    private bool _completed;

    public ServerCall(HttpContext http, GrpcServerOptions options, string? requestEncoding, bool gzipResponses, GrpcCallContext context)
    {
        _http = http;
        _options = options;
        _requestEncoding = requestEncoding;
        _gzipResponses = gzipResponses;
        Context = context;
    }

    public GrpcCallContext Context { get; }

    /// <summary>Reads the next request message, or null when the caller has half-closed the stream.</summary>
    public ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
        => MessageFraming.ReadMessageAsync(_http.Request.BodyReader, parser, _requestEncoding, _options.MaxReceiveMessageSize, Context.CancellationToken);

    /// <summary>Reads the one request of a unary or server-streaming call; anything but exactly one is an error.</summary>
    public async ValueTask<T> ReadSingleMessageAsync<T>(MessageParser<T> parser)
        where T : class, IMessage<T>
    {
        var message = await ReadMessageAsync(parser).ConfigureAwait(false)
            ?? throw new GrpcException(StatusCode.Internal, "The request stream ended without a request message.");
        if (await ReadMessageAsync(parser).ConfigureAwait(false) is not null)
        {
            throw new GrpcException(StatusCode.Internal, "More than one request message was sent to a method that takes one.");
        }

        return message;
    }

    public async IAsyncEnumerable<T> ReadAllAsync<T>(MessageParser<T> parser, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : class, IMessage<T>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var message = await ReadMessageAsync(parser).ConfigureAwait(false);
            if (message is null)
            {
                yield break;
            }

            yield return message;
        }
    }

    public async ValueTask WriteMessageAsync(IMessage message, bool flush, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_completed)
            {
                throw new OperationCanceledException("The call has already ended; no more messages can be sent.");
            }

            MessageFraming.Write(_http.Response.BodyWriter, message, _gzipResponses, _options.MaxSendMessageSize);
            _messageWritten = true;
            if (flush)
            {
                var result = await _http.Response.BodyWriter.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (result.IsCanceled || result.IsCompleted)
                {
                    throw new OperationCanceledException("The caller is no longer reading responses.");
                }
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Ends the call with a status. The first status wins; later ones are ignored. With <paramref name="flushNow"/>
    /// the response is completed at once (used on deadline, while the handler may still be running).
    /// </summary>
    public async Task CompleteAsync(StatusCode code, string? message, IReadOnlyDictionary<string, string>? trailers, bool flushNow)
    {
        await _writeLock.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (_completed || _http.RequestAborted.IsCancellationRequested)
            {
                _completed = true;
                return;
            }

            _completed = true;
            var response = _http.Response;
            var trailersOnly = !_messageWritten && !response.HasStarted;
            if (trailersOnly)
            {
                // Trailers-only: the status travels in the single HEADERS frame, which ends the stream.
                SetStatus(response.Headers, code, message, trailers);
            }
            else if (response.SupportsTrailers())
            {
                var trailerFeature = _http.Features.Get<IHttpResponseTrailersFeature>()!;
                SetStatus(trailerFeature.Trailers, code, message, trailers);
            }

            if (flushNow)
            {
                await response.CompleteAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose() => _writeLock.Dispose();

    /// <summary>Writes grpc-status, grpc-message (percent-encoded) and extra trailers into headers or trailers.</summary>
    internal static void SetStatus(IHeaderDictionary headers, StatusCode code, string? message, IReadOnlyDictionary<string, string>? trailers)
    {
        headers[GrpcProtocol.StatusHeader] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!string.IsNullOrEmpty(message))
        {
            headers[GrpcProtocol.MessageHeader] = GrpcProtocol.EncodeMessage(message);
        }

        if (trailers is not null)
        {
            foreach (var (name, value) in trailers)
            {
                headers[name] = value;
            }
        }
    }
}

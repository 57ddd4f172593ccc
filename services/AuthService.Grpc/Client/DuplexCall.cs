using System.Net;
using System.Threading.Channels;
using AuthService.Grpc.Framing;
using Google.Protobuf;

namespace AuthService.Grpc.Client;

/// <summary>A bidirectional call: write requests, complete, and read responses, concurrently.</summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class DuplexCall<TRequest, TResponse>
    where TRequest : IMessage<TRequest>
{
    private readonly StreamingContent _content;

    internal DuplexCall(StreamingContent content, IAsyncEnumerable<TResponse> responses)
    {
        _content = content;
        Responses = responses;
    }

    /// <summary>The responses; enumerating starts the call. Ends with a <see cref="GrpcException"/> on a non-OK status.</summary>
    public IAsyncEnumerable<TResponse> Responses { get; }

    /// <summary>Sends one request message.</summary>
    public ValueTask WriteAsync(TRequest message, CancellationToken cancellationToken = default) => _content.WriteAsync(message, cancellationToken);

    /// <summary>Half-closes the call: no more requests.</summary>
    public void CompleteRequests() => _content.Complete();
}

/// <summary>A request body fed message by message while the response is being read (HTTP/2 full duplex).</summary>
internal sealed class StreamingContent : HttpContent
{
    private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _maxMessageSize;
    private readonly bool _gzip;

    public StreamingContent(int maxMessageSize, bool gzip)
    {
        _maxMessageSize = maxMessageSize;
        _gzip = gzip;
    }

    public ValueTask WriteAsync(IMessage message, CancellationToken cancellationToken) =>
        _frames.Writer.WriteAsync(MessageFraming.ToFrame(message, _gzip, _maxMessageSize), cancellationToken);

    public void Complete() => _frames.Writer.TryComplete();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await foreach (var frame in _frames.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Google.Protobuf;

namespace AuthService.Grpc.Framing;

/// <summary>
/// The gRPC length-prefixed message: a compressed-flag byte, a 4-byte big-endian length, then the protobuf
/// bytes (gzip-compressed when the flag is 1). Shared by the server and the client, so both sides reject the
/// same malformed input with the same status.
/// </summary>
public static class MessageFraming
{
    /// <summary>
    /// Takes one complete frame off the front of <paramref name="buffer"/>. Returns false when more bytes are
    /// needed. Throws RESOURCE_EXHAUSTED as soon as a header announces a message larger than the limit, so an
    /// oversized message is never buffered, and INTERNAL for a flag byte other than 0 or 1.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxMessageSize, out bool compressed, out ReadOnlySequence<byte> payload)
    {
        compressed = false;
        payload = default;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        var flag = header[0];
        if (flag > 1)
        {
            throw new GrpcException(StatusCode.Internal, $"Invalid gRPC frame: compressed-flag byte is {flag}, expected 0 or 1.");
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw MessageTooLarge("Received", length, maxMessageSize);
        }

        if (buffer.Length < GrpcProtocol.FrameHeaderSize + length)
        {
            return false;
        }

        compressed = flag == 1;
        payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }

    /// <summary>
    /// Reads the next message from a stream of frames, or null when the stream ends cleanly between frames.
    /// A stream that ends inside a frame is INTERNAL "Incomplete message".
    /// </summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(PipeReader reader, MessageParser<T> parser, string? encoding, int maxMessageSize, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool complete;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                complete = TryReadFrame(ref buffer, maxMessageSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start);
                throw;
            }

            if (complete)
            {
                try
                {
                    return Decode(parser, payload, compressed, encoding, maxMessageSize);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }

            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return leftover == 0
                    ? null
                    : throw new GrpcException(StatusCode.Internal, $"Incomplete message: the stream ended inside a gRPC frame ({leftover} bytes of a frame received).");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Parses a frame's payload, decompressing it first when its flag says so.</summary>
    public static T Decode<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload, bool compressed, string? encoding, int maxMessageSize)
        where T : IMessage<T>
    {
        if (compressed)
        {
            if (!string.Equals(encoding, GrpcProtocol.GzipEncoding, StringComparison.Ordinal))
            {
                throw new GrpcException(
                    StatusCode.Internal,
                    $"A message has its compressed flag set, but the grpc-encoding is '{encoding ?? GrpcProtocol.IdentityEncoding}'.");
            }

            payload = new ReadOnlySequence<byte>(Gunzip(payload, maxMessageSize));
        }

        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException exception)
        {
            throw new GrpcException(
                StatusCode.Internal,
                $"Failed to deserialize the message: it is not a valid {typeof(T).Name} protobuf ({exception.Message})",
                exception);
        }
    }

    /// <summary>Writes one framed message; gzip-compressed when <paramref name="gzip"/> is set.</summary>
    public static void Write(IBufferWriter<byte> writer, IMessage message, bool gzip, int maxMessageSize)
    {
        var size = message.CalculateSize();
        if (size > maxMessageSize)
        {
            throw MessageTooLarge("Sending", (uint)size, maxMessageSize);
        }

        if (!gzip)
        {
            var span = writer.GetSpan(GrpcProtocol.FrameHeaderSize + size);
            span[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)size);
            message.WriteTo(span.Slice(GrpcProtocol.FrameHeaderSize, size));
            writer.Advance(GrpcProtocol.FrameHeaderSize + size);
            return;
        }

        // The plain and compressed copies may hold a secret value: they are zeroed once written, so no
        // readable copy waits in the heap for the garbage collector.
        var plain = message.ToByteArray();
        byte[] compressed;
        try
        {
            compressed = Gzip(plain);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }

        var header = writer.GetSpan(GrpcProtocol.FrameHeaderSize);
        header[0] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)compressed.Length);
        writer.Advance(GrpcProtocol.FrameHeaderSize);
        writer.Write(compressed);
        CryptographicOperations.ZeroMemory(compressed);
    }

    /// <summary>One framed message as a byte array (for request bodies built up front).</summary>
    public static byte[] ToFrame(IMessage message, bool gzip, int maxMessageSize)
    {
        var buffer = new ArrayBufferWriter<byte>(GrpcProtocol.FrameHeaderSize + message.CalculateSize());
        Write(buffer, message, gzip, maxMessageSize);
        return buffer.WrittenSpan.ToArray();
    }

    private static GrpcException MessageTooLarge(string direction, uint length, int maxMessageSize) =>
        new(
            StatusCode.ResourceExhausted,
            $"{direction} message of {length} bytes exceeds the maximum message size of {maxMessageSize} bytes.");

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        var result = output.ToArray();
        CryptographicOperations.ZeroMemory(output.GetBuffer());
        return result;
    }

    private static byte[] Gunzip(ReadOnlySequence<byte> payload, int maxMessageSize)
    {
        try
        {
            using var input = new MemoryStream(payload.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = gzip.Read(chunk)) > 0)
            {
                // The limit applies to the decompressed size too, so a small "zip bomb" cannot exhaust memory.
                if (output.Length + read > maxMessageSize)
                {
                    throw MessageTooLarge("Received (decompressed)", (uint)Math.Min(output.Length + read, uint.MaxValue), maxMessageSize);
                }

                output.Write(chunk, 0, read);
            }

            return output.ToArray();
        }
        catch (InvalidDataException exception)
        {
            throw new GrpcException(StatusCode.Internal, "A gzip-compressed message could not be decompressed: the data is not valid gzip.", exception);
        }
    }
}

using System.Buffers;
using AuthService.Grpc.Framing;
using AuthService.Grpc.Tests.Testing;
using Google.Protobuf;

namespace AuthService.Grpc.Tests;

public class ProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("500n", 5L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void TryParseTimeout_ValidValue_ReturnsTicks(string value, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    public void TryParseTimeout_MalformedValue_ReturnsFalse(string value)
    {
        Assert.False(GrpcProtocol.TryParseTimeout(value, out _));
    }

    [Theory]
    [InlineData(0.000001, "1000n")]
    [InlineData(0.5, "500000u")]
    [InlineData(250, "250000m")]
    [InlineData(1_000_000, "1000000S")]
    public void FormatTimeout_Seconds_UsesFinestUnitThatFits(double seconds, string expected)
    {
        Assert.Equal(expected, GrpcProtocol.FormatTimeout(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void FormatTimeout_RoundTrip_NeverShortensTheTimeout()
    {
        foreach (var seconds in new[] { 0.0001, 1.2345678, 99.9999999, 12345.6789 })
        {
            var timeout = TimeSpan.FromSeconds(seconds);
            Assert.True(GrpcProtocol.TryParseTimeout(GrpcProtocol.FormatTimeout(timeout), out var parsed));
            Assert.True(parsed >= timeout, $"{parsed} < {timeout}");
        }
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("50% done", "50%25 done")]
    [InlineData("line\nbreak", "line%0Abreak")]
    [InlineData("naïve €", "na%C3%AFve %E2%82%AC")]
    public void EncodeMessage_Text_PercentEncodesAsSpecified(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.EncodeMessage(message));
        Assert.Equal(message, GrpcProtocol.DecodeMessage(encoded));
    }

    [Fact]
    public void DecodeMessage_MalformedEscape_KeptLiterally()
    {
        Assert.Equal("100%zz", GrpcProtocol.DecodeMessage("100%zz"));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc+json", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_Value_Classified(string? contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_ThenRead_RoundTrips(bool gzip)
    {
        var message = new EchoRequest { Text = "hello", Payload = ByteString.CopyFrom(new byte[1000]) };
        var frame = MessageFraming.ToFrame(message, gzip, 4096);
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.True(MessageFraming.TryReadFrame(ref buffer, 4096, out var compressed, out var payload));
        var decoded = MessageFraming.Decode(EchoRequest.Parser, payload, compressed, gzip ? "gzip" : null, 4096);

        Assert.Equal(gzip, compressed);
        Assert.Equal(message, decoded);
        Assert.Equal(0, buffer.Length);
        Assert.Equal(gzip, frame.Length < 1000);
    }

    [Fact]
    public void TryReadFrame_PartialFrame_NeedsMoreBytes()
    {
        var frame = MessageFraming.ToFrame(new EchoRequest { Text = "abc" }, false, 4096);
        for (var length = 0; length < frame.Length; length++)
        {
            var buffer = new ReadOnlySequence<byte>(frame, 0, length);
            Assert.False(MessageFraming.TryReadFrame(ref buffer, 4096, out _, out _));
        }
    }

    [Fact]
    public void TryReadFrame_LengthOverLimit_ResourceExhaustedBeforeBuffering()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0, 0x7F, 0xFF, 0xFF, 0xFF });

        var error = Assert.Throws<GrpcException>(() => MessageFraming.TryReadFrame(ref buffer, 4096, out _, out _));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("4096", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryReadFrame_InvalidFlag_Internal()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 2, 0, 0, 0, 0 });

        var error = Assert.Throws<GrpcException>(() => MessageFraming.TryReadFrame(ref buffer, 4096, out _, out _));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public void Decode_GzipBombOverLimit_ResourceExhausted()
    {
        var frame = MessageFraming.ToFrame(new EchoRequest { Payload = ByteString.CopyFrom(new byte[1_000_000]) }, true, 2_000_000);
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(MessageFraming.TryReadFrame(ref buffer, 64 * 1024, out var compressed, out var payload));

        var error = Assert.Throws<GrpcException>(() => MessageFraming.Decode(EchoRequest.Parser, payload, compressed, "gzip", 64 * 1024));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public void Decode_CompressedFlagWithoutEncoding_Internal()
    {
        var frame = MessageFraming.ToFrame(new EchoRequest { Text = "x" }, true, 4096);
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.True(MessageFraming.TryReadFrame(ref buffer, 4096, out var compressed, out var payload));

        var error = Assert.Throws<GrpcException>(() => MessageFraming.Decode(EchoRequest.Parser, payload, compressed, null, 4096));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public void Decode_InvalidProtobuf_Internal()
    {
        var payload = new ReadOnlySequence<byte>(new byte[] { 0x0A, 0x05, 0x41 });

        var error = Assert.Throws<GrpcException>(() => MessageFraming.Decode(EchoRequest.Parser, payload, false, null, 4096));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public void Write_MessageOverSendLimit_ResourceExhausted()
    {
        var message = new EchoRequest { Payload = ByteString.CopyFrom(new byte[5000]) };

        var error = Assert.Throws<GrpcException>(() => MessageFraming.ToFrame(message, false, 4096));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }
}

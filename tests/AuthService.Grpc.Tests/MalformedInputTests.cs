using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using AuthService.Grpc.Tests.Testing;

namespace AuthService.Grpc.Tests;

/// <summary>
/// Malformed requests sent as raw HTTP/2, bypassing the client's own framing: each gets the status the gRPC
/// spec gives, and the server keeps serving afterwards.
/// </summary>
public class MalformedInputTests : IClassFixture<GrpcTestServer>, IDisposable
{
    private readonly GrpcTestServer _server;
    private readonly HttpClient _http = new();

    public MalformedInputTests(GrpcTestServer server) => _server = server;

    public void Dispose()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
    }

    private async Task<HttpResponseMessage> PostAsync(string path, byte[] body, string contentType = "application/grpc", Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _server.TcpTarget + path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        configure?.Invoke(request);
        var response = await _http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return response;
    }

    private static string? Status(HttpResponseMessage response) =>
        response.Headers.TryGetValues("grpc-status", out var headerValues) ? headerValues.Single()
        : response.TrailingHeaders.TryGetValues("grpc-status", out var trailerValues) ? trailerValues.Single()
        : null;

    private static string Echo => "/testing.v1.TestService/Echo";

    private async Task AssertStillServingAsync()
    {
        using var client = _server.Client();
        var reply = await client.UnaryAsync<EchoRequest, EchoReply>(TestService.Method("Echo"), new EchoRequest { Text = "alive" });
        Assert.Equal("alive", reply.Text);
    }

    [Fact]
    public async Task Post_TruncatedPrefix_Internal()
    {
        var response = await PostAsync(Echo, [0, 0, 0]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("13", Status(response));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Post_LengthLargerThanBody_Internal()
    {
        var response = await PostAsync(Echo, [0, 0, 0, 0, 100, 0x0A, 0x01, 0x41]);

        Assert.Equal("13", Status(response));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Post_InvalidProtobuf_Internal()
    {
        // Field 1 (string) claims 5 bytes but only 1 follows inside a well-formed frame.
        var response = await PostAsync(Echo, [0, 0, 0, 0, 3, 0x0A, 0x05, 0x41]);

        Assert.Equal("13", Status(response));
        Assert.Contains("deserialize", Uri.UnescapeDataString(response.Headers.GetValues("grpc-message").Single()), StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Post_EmptyBodyToUnary_Internal()
    {
        var response = await PostAsync(Echo, []);

        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Post_TwoMessagesToUnary_Internal()
    {
        var response = await PostAsync(Echo, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Post_UnknownMethod_UnimplementedTrailersOnly()
    {
        var response = await PostAsync("/testing.v1.TestService/Nope", [0, 0, 0, 0, 0]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("12", response.Headers.GetValues("grpc-status").Single());
        Assert.Empty(response.TrailingHeaders);
        Assert.Contains("/testing.v1.TestService/Nope", response.Headers.GetValues("grpc-message").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_UnknownService_Unimplemented()
    {
        var response = await PostAsync("/no.Such/Method", [0, 0, 0, 0, 0]);

        Assert.Equal("12", Status(response));
    }

    [Fact]
    public async Task Post_WrongContentType_415()
    {
        var response = await PostAsync(Echo, Encoding.UTF8.GetBytes("{}"), "application/json");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Null(Status(response));
    }

    [Fact]
    public async Task Get_Method_405()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, _server.TcpTarget + Echo) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task Post_UnsupportedEncoding_UnimplementedWithAcceptEncoding()
    {
        var response = await PostAsync(Echo, [1, 0, 0, 0, 0], configure: r => r.Headers.TryAddWithoutValidation("grpc-encoding", "snappy"));

        Assert.Equal("12", Status(response));
        Assert.Equal("identity,gzip", response.Headers.GetValues("grpc-accept-encoding").Single());
    }

    [Fact]
    public async Task Post_CompressedFlagWithoutEncoding_Internal()
    {
        var response = await PostAsync(Echo, [1, 0, 0, 0, 0]);

        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Post_MalformedTimeout_Internal()
    {
        var response = await PostAsync(Echo, [0, 0, 0, 0, 0], configure: r => r.Headers.TryAddWithoutValidation("grpc-timeout", "soon"));

        Assert.Equal("13", Status(response));
    }

    [Fact]
    public async Task Post_HugeLengthPrefix_ResourceExhaustedWithoutReadingBody()
    {
        var response = await PostAsync(Echo, [0, 0xFF, 0xFF, 0xFF, 0xFF]);

        Assert.Equal("8", Status(response));
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Http11Request_RejectedWithClearText_ServerKeepsServing()
    {
        var endpoint = new Uri(_server.TcpTarget);
        using var socket = new TcpClient();
        await socket.ConnectAsync(endpoint.Host, endpoint.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {Echo} HTTP/1.1\r\nHost: x\r\nContent-Type: application/grpc\r\nContent-Length: 5\r\n\r\n\0\0\0\0\0"));

        var buffer = new byte[4096];
        var read = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var text = Encoding.ASCII.GetString(buffer, 0, read);

        Assert.StartsWith("HTTP/1.1 400", text, StringComparison.Ordinal);
        Assert.Contains("HTTP/2", text, StringComparison.Ordinal);
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task RandomFrames_ManyMutations_EveryOneGetsAStatusAndServerSurvives()
    {
        var random = new Random(20261123);
        var valid = Framing.MessageFraming.ToFrame(new EchoRequest { Text = "seed", Payload = Google.Protobuf.ByteString.CopyFrom(new byte[40]) }, false, 1024);
        for (var i = 0; i < 300; i++)
        {
            var body = (byte[])valid.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            var response = await PostAsync(Echo, body[..random.Next(body.Length + 1)]);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(Status(response), new[] { "0", "8", "13" });
        }

        await AssertStillServingAsync();
    }
}

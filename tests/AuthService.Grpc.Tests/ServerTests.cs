using AuthService.Grpc.Client;
using AuthService.Grpc.Tests.Testing;
using Google.Protobuf;

namespace AuthService.Grpc.Tests;

/// <summary>The server's behaviour as seen by the project's own client over real sockets.</summary>
public class ServerTests : IClassFixture<GrpcTestServer>
{
    private readonly GrpcTestServer _server;

    public ServerTests(GrpcTestServer server) => _server = server;

    public static TheoryData<string> Transports => new() { "tcp", "unix", "tls" };

    private GrpcClient ClientFor(string transport) => transport switch
    {
        "tcp" => _server.Client(),
        "unix" => _server.Client(_server.UnixTarget),
        _ => _server.Client(_server.HttpsTarget, new GrpcClientOptions
        {
            TrustedCertificateAuthority = _server.CertificateAuthority,
            ClientCertificate = _server.ClientCertificate,
        }),
    };

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Unary_EachTransport_Echoes(string transport)
    {
        using var client = ClientFor(transport);

        var reply = await client.UnaryAsync<EchoRequest, EchoReply>(TestService.Method("Echo"), new EchoRequest { Text = "hi " + transport });

        Assert.Equal("hi " + transport, reply.Text);
    }

    [Fact]
    public async Task Unary_TlsWithUntrustedServer_Unavailable()
    {
        using var client = _server.Client(_server.HttpsTarget, new GrpcClientOptions { TrustedCertificateAuthority = TestCertificates.Create().Authority });

        var error = await Assert.ThrowsAsync<GrpcException>(() =>
            client.UnaryAsync<EchoRequest, EchoReply>(TestService.Method("Echo"), new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Unary_Gzip_RoundTripsCompressed()
    {
        using var client = _server.Client();
        var payload = ByteString.CopyFrom(new byte[30_000]);

        var reply = await client.UnaryAsync<EchoRequest, EchoReply>(
            TestService.Method("Echo"), new EchoRequest { Payload = payload }, new CallOptions { Gzip = true });

        Assert.Equal(payload, reply.Payload);
    }

    [Fact]
    public async Task Unary_HandlerThrowsGrpcException_StatusAndUnicodeMessageReachClient()
    {
        using var client = _server.Client();

        var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<FailRequest, EchoReply>(
            TestService.Method("Fail"), new FailRequest { Code = (int)StatusCode.FailedPrecondition, Message = "token missing: 100% naïve\nfix it" }));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("token missing: 100% naïve\nfix it", error.Message);
    }

    [Fact]
    public async Task Unary_RequestOverReceiveLimit_ResourceExhausted()
    {
        using var client = _server.Client();

        var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<EchoRequest, EchoReply>(
            TestService.Method("Echo"), new EchoRequest { Payload = ByteString.CopyFrom(new byte[GrpcTestServer.MaxMessageSize + 1]) }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Unary_ReplyOverSendLimit_ResourceExhausted()
    {
        using var client = _server.Client();

        var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<EchoRequest, EchoReply>(
            TestService.Method("Echo"), new EchoRequest { ReplySize = GrpcTestServer.MaxMessageSize + 1 }));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("Sending", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unary_DeadlineShorterThanHandler_DeadlineExceededAndHandlerCancelled()
    {
        using var client = _server.Client();
        _server.Tests.ResetSleepCancelled();

        var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<SleepRequest, EchoReply>(
            TestService.Method("Sleep"), new SleepRequest { DelayMs = 30_000 }, new CallOptions { Timeout = TimeSpan.FromMilliseconds(200) }));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await _server.Tests.SleepCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Unary_HandlerIgnoresCancellation_ServerStillAnswersDeadlineExceeded()
    {
        // The client's own timer is far later than the server's deadline, so the status must come from the server.
        using var client = _server.Client();
        var started = DateTime.UtcNow;

        var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<SleepRequest, EchoReply>(
            TestService.Method("Sleep"),
            new SleepRequest { DelayMs = 3_000, IgnoreCancellation = true },
            new CallOptions { Headers = new Dictionary<string, string> { ["grpc-timeout"] = "100m" } }));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromMilliseconds(2_500));
    }

    [Fact]
    public async Task ServerStreaming_Count_ReceivesAllThenOk()
    {
        using var client = _server.Client();

        var replies = new List<string>();
        await foreach (var reply in client.ServerStreamingAsync<CountRequest, EchoReply>(TestService.Method("Count"), new CountRequest { Count = 50 }))
        {
            replies.Add(reply.Text);
        }

        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString()), replies);
    }

    [Fact]
    public async Task ServerStreaming_FailsAfterMessages_MessagesThenStatusInTrailers()
    {
        using var client = _server.Client();
        var replies = new List<string>();

        var error = await Assert.ThrowsAsync<GrpcException>(async () =>
        {
            await foreach (var reply in client.ServerStreamingAsync<CountRequest, EchoReply>(
                TestService.Method("Count"), new CountRequest { Count = 3, FailCode = (int)StatusCode.Aborted }))
            {
                replies.Add(reply.Text);
            }
        });

        Assert.Equal(3, replies.Count);
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
    }

    [Fact]
    public async Task Duplex_Chat_EchoesEachRequestInOrder()
    {
        using var client = _server.Client(_server.UnixTarget);
        var call = client.Duplex<EchoRequest, EchoReply>(TestService.Method("Chat"));
        var received = new List<string>();

        var reading = Task.Run(async () =>
        {
            await foreach (var reply in call.Responses)
            {
                received.Add(reply.Text);
            }
        });
        for (var i = 0; i < 10; i++)
        {
            await call.WriteAsync(new EchoRequest { Text = "m" + i });
        }

        call.CompleteRequests();
        await reading.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => "m" + i), received);
    }

    [Fact]
    public async Task Unary_ManyConcurrentCalls_AllSucceed()
    {
        using var client = _server.Client();

        var replies = await Task.WhenAll(Enumerable.Range(0, 500).Select(i =>
            client.UnaryAsync<EchoRequest, EchoReply>(TestService.Method("Echo"), new EchoRequest { Text = i.ToString() })));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => i.ToString()), replies.Select(r => r.Text));
    }
}

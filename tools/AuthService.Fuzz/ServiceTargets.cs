using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using AuthService.Api.V1;
using Google.Protobuf;

namespace AuthService.Fuzz;

/// <summary>The service under test: a running address, and whether it still answers its health check.</summary>
internal interface IServiceUnderTest
{
    Uri Address { get; }

    /// <summary>Null when the service is up and answers SERVING; otherwise why not.</summary>
    Task<string?> CheckHealthAsync();
}

/// <summary>
/// gRPC messages against the running service, through HttpClient's well-formed HTTP/2: the first byte picks the
/// method, the rest is the request body (length-prefixed messages, mutated). Every request must get a gRPC
/// status (or a clean HTTP/2 error) within the deadline, and the service must still be healthy afterwards.
/// </summary>
internal sealed class GrpcTarget(IServiceUnderTest service) : IFuzzTarget, IDisposable
{
    private static readonly string[] Paths =
    [
        "/authservice.v1.SecretsService/GetSecret",
        "/authservice.v1.SecretsService/BatchGetSecrets",
        "/authservice.v1.ConfigurationService/ListConfigurations",
        "/authservice.v1.ConfigurationService/TestConfiguration",
        "/grpc.health.v1.Health/Check",
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    ];

    private readonly HttpClient _http = new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true });
    private int _runs;

    public string Name => "grpc";

    public TimeSpan Deadline => TimeSpan.FromSeconds(10);

    public IReadOnlyList<byte[]> Seeds { get; } =
    [
        Framed(0, new GetSecretRequest { Configuration = "fuzz", SecretId = "demo/database", JsonKey = "password" }),
        Framed(0, new GetSecretRequest { Configuration = "nope", SecretId = "arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf", VersionStage = "AWSPREVIOUS", ForceRefresh = true }),
        Framed(1, Batch()),
        Framed(2, new ListConfigurationsRequest()),
        Framed(3, new TestConfigurationRequest { Configuration = new AuthService.Api.V1.Configuration { Name = "t", Region = "us-east-1", EndpointUrl = "http://127.0.0.1:9", StaticKeys = new StaticKeysAuth { Profile = "fuzz" } } }),
        [4, 0, 0, 0, 0, 0],
        [5, 0, 0, 0, 0, 2, 0x3A, 0x00],   // ServerReflectionRequest { list_services: "" }
    ];

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        [0, 0, 0, 0, 0], [1, 0, 0, 0, 5], [0, 0x7F, 0xFF, 0xFF, 0xFF], [0, 0, 0x40, 0, 0], [0xFF, 0xFF, 0xFF, 0xFF, 0x0F], [0x80, 0x80, 0x80, 0x80, 0x10],
        [0x0A], [0x12], [0x1A], [0x22], [0x2A], [0x30, 0x01], [0x0A, 0x00], [0x0A, 0x7F], [0x0B], [0x0C], [0x78, 0x00],
        .. new[] { "demo/database", "AWSCURRENT", "arn:aws:secretsmanager:", "fuzz", "pkcs11:", "\u0000", "\u00e9" }.Select(Canaries.Utf8),
    ];

    public async Task<string?> RunAsync(byte[] input)
    {
        var path = input.Length == 0 ? Paths[0] : Paths[input[0] % Paths.Length];
        var body = input.Length == 0 ? [] : input[1..];
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(service.Address, path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation("grpc-timeout", "3S");
        using var timeout = new CancellationTokenSource(Deadline);
        string? failure;
        var reset = false;
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            var status = Status(response);
            failure = response.StatusCode != HttpStatusCode.OK ? null
                : status is null ? "HTTP 200 without grpc-status"
                : !int.TryParse(status, out var code) || code is < 0 or > 16 ? $"grpc-status '{status}' is not a status code"
                : null;
        }
        catch (HttpRequestException)
        {
            failure = null;   // the stream or connection was reset: a clean HTTP/2 error, if the service is still up
            reset = true;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"{path}: no answer within {Deadline.TotalSeconds:0} s";
        }

        // A reset may also mean the process died: check after each one, and every 50 inputs anyway.
        if (failure is null && (reset || ++_runs % 50 == 0 || _runs == 1))
        {
            failure = await service.CheckHealthAsync();
        }

        return failure is null ? null : $"{path}: {failure}";
    }

    public void Dispose() => _http.Dispose();

    private static string? Status(HttpResponseMessage response) =>
        response.Headers.TryGetValues("grpc-status", out var header) ? header.First()
        : response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.First()
        : null;

    private static BatchGetSecretsRequest Batch()
    {
        var batch = new BatchGetSecretsRequest();
        batch.Requests.Add(new GetSecretRequest { Configuration = "fuzz", SecretId = "demo/api-token", VersionId = "EXAMPLE1-90ab-cdef-fedc-ba987SECRET1" });
        batch.Requests.Add(new GetSecretRequest { Configuration = "fuzz", SecretId = "demo/keystore" });
        return batch;
    }

    private static byte[] Framed(byte method, IMessage message)
    {
        var payload = message.ToByteArray();
        return [method, 0, (byte)(payload.Length >> 24), (byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, .. payload];
    }
}

/// <summary>
/// Raw HTTP/2 after the connection preface: SETTINGS, HEADERS (HPACK literals), DATA, PING, WINDOW_UPDATE,
/// CONTINUATION frames, mutated as bytes. The client half-closes after sending; the server must answer or close
/// within the deadline and stay healthy.
/// </summary>
internal sealed class Http2Target(IServiceUnderTest service) : IFuzzTarget
{
    private static readonly byte[] Preface = Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    private int _runs;

    public string Name => "http2";

    public TimeSpan Deadline => TimeSpan.FromSeconds(10);

    public IReadOnlyList<byte[]> Seeds { get; } =
    [
        [.. Frame(4, 0, 0, []), .. Headers(1, "/grpc.health.v1.Health/Check", endStream: false), .. Frame(0, 1, 1, [0, 0, 0, 0, 0])],
        [.. Frame(4, 0, 0, [0, 4, 0, 0, 0xFF, 0xFF]), .. Frame(8, 0, 0, [0, 0, 0x10, 0]), .. Headers(1, "/authservice.v1.SecretsService/GetSecret", endStream: false),
            .. Frame(0, 0, 1, [0, 0, 0, 0, 8]), .. Frame(0, 1, 1, [0x0A, 0x02, 0x6E, 0x6F, 0x12, 0x02, 0x69, 0x64])],
        [.. Frame(4, 0, 0, []), .. Frame(6, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]), .. Headers(1, "/grpc.health.v1.Health/Check", endStream: true), .. Headers(3, "/nope", endStream: true)],
        [.. Frame(4, 0, 0, []), .. HeadersWithContinuation(1, "/grpc.health.v1.Health/Check"), .. Frame(0, 1, 1, [0, 0, 0, 0, 0]), .. Frame(7, 0, 0, [0, 0, 0, 1, 0, 0, 0, 0])],
    ];

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        Frame(4, 0, 0, []), Frame(4, 1, 0, []), Frame(3, 0, 1, [0, 0, 0, 8]), Frame(7, 0, 0, [0, 0, 0, 0, 0, 0, 0, 2]), Frame(8, 0, 1, [0x7F, 0xFF, 0xFF, 0xFF]),
        Frame(2, 0, 1, [0, 0, 0, 1, 0x10]), Frame(9, 4, 1, []), Frame(6, 1, 0, [0, 0, 0, 0, 0, 0, 0, 0]),
        [0xFF, 0xFF, 0xFF], [0x7F, 0xFF, 0xFF, 0xFF], [0x00, 0x40, 0x00], [0x80], [0x3F, 0xE1, 0x1F], [0x20], [0x00, 0x7F],
    ];

    public async Task<string?> RunAsync(byte[] input)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await socket.ConnectAsync(service.Address.Host, service.Address.Port, timeout.Token);
            await socket.SendAsync((byte[])[.. Preface, .. input], SocketFlags.None, timeout.Token);
            socket.Shutdown(SocketShutdown.Send);
            var buffer = new byte[16384];
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // The server reset the connection: fine, if it is still up (checked below).
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return $"the server neither answered nor closed the connection within {Deadline.TotalSeconds:0} s of the client's FIN";
        }

        return ++_runs % 25 == 0 || _runs == 1 ? await service.CheckHealthAsync() : null;
    }

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload) =>
        [(byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length, type, flags, (byte)(stream >> 24), (byte)(stream >> 16), (byte)(stream >> 8), (byte)stream, .. payload];

    /// <summary>A request's header block as HPACK literals without indexing (no Huffman), one HEADERS frame.</summary>
    private static byte[] Headers(int stream, string path, bool endStream) =>
        Frame(1, (byte)(0x4 | (endStream ? 0x1 : 0)), stream, HeaderBlock(path));

    private static byte[] HeadersWithContinuation(int stream, string path)
    {
        var block = HeaderBlock(path);
        var half = block.Length / 2;
        return [.. Frame(1, 0, stream, block[..half]), .. Frame(9, 0x4, stream, block[half..])];
    }

    private static byte[] HeaderBlock(string path)
    {
        var block = new List<byte>();
        foreach (var (name, value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "fuzz"), ("content-type", "application/grpc"), ("te", "trailers"), ("grpc-timeout", "2S") })
        {
            block.Add(0x00);
            block.Add((byte)name.Length);
            block.AddRange(Encoding.ASCII.GetBytes(name));
            block.Add((byte)value.Length);
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }

        return [.. block];
    }
}

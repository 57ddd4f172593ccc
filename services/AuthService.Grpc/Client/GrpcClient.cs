using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using AuthService.Grpc.Framing;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace AuthService.Grpc.Client;

/// <summary>
/// A gRPC client over HttpClient and HTTP/2: h2c ("http://host:port"), TLS ("https://host:port", optional client
/// certificate) and Unix domain sockets ("unix:/path/to.sock"). Methods are named by their generated
/// descriptors. Non-OK statuses surface as <see cref="GrpcException"/>.
/// </summary>
public sealed class GrpcClient : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcMediaType = new(GrpcProtocol.ContentType);
    private readonly HttpClient _http;
    private readonly Uri _baseAddress;
    private readonly GrpcClientOptions _options;

    public GrpcClient(HttpClient http, Uri baseAddress, GrpcClientOptions? options = null)
    {
        _http = http;
        _baseAddress = baseAddress;
        _options = options ?? new GrpcClientOptions();
    }

    /// <summary>Creates a client for a target: "http://host:port", "https://host:port" or "unix:/path".</summary>
    public static GrpcClient Create(string target, GrpcClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        options ??= new GrpcClientOptions();
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromSeconds(60),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
        };
        Uri address;
        if (target.StartsWith("unix:", StringComparison.Ordinal))
        {
            var path = target["unix:".Length..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                path = path[2..];
            }

            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            address = new Uri("http://localhost");
        }
        else
        {
            address = new Uri(target);
            if (address.Scheme == Uri.UriSchemeHttps)
            {
                ConfigureTls(handler, options);
            }
        }

        return new GrpcClient(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, address, options);
    }

    /// <summary>A unary call.</summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(MethodDescriptor method, TRequest request, CallOptions? options = null)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        await foreach (var response in ServerStreamingAsync<TRequest, TResponse>(method, request, options, single: true).ConfigureAwait(false))
        {
            return response;
        }

        throw new GrpcException(StatusCode.Internal, $"The server ended {method.FullName} with OK but sent no response message.");
    }

    /// <summary>A server-streaming call: each response as it arrives.</summary>
    public IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(MethodDescriptor method, TRequest request, CallOptions? options = null)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
        => ServerStreamingAsync<TRequest, TResponse>(method, request, options, single: false);

    /// <summary>A bidirectional-streaming call.</summary>
    public DuplexCall<TRequest, TResponse> Duplex<TRequest, TResponse>(MethodDescriptor method, CallOptions? options = null)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        options ??= new CallOptions();
        var content = new StreamingContent(_options.MaxSendMessageSize, options.Gzip);
        var responses = ReadResponsesAsync<TResponse>(method, content, options, single: false, CancellationToken.None);
        return new DuplexCall<TRequest, TResponse>(content, responses);
    }

    public void Dispose() => _http.Dispose();

    private async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        MethodDescriptor method, TRequest request, CallOptions? options, bool single)
        where TRequest : IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        options ??= new CallOptions();
        var body = new ByteArrayContent(MessageFraming.ToFrame(request, options.Gzip, _options.MaxSendMessageSize));
        await foreach (var response in ReadResponsesAsync<TResponse>(method, body, options, single, CancellationToken.None).ConfigureAwait(false))
        {
            yield return response;
        }
    }

    private async IAsyncEnumerable<TResponse> ReadResponsesAsync<TResponse>(
        MethodDescriptor method, HttpContent body, CallOptions options, bool single, [EnumeratorCancellation] CancellationToken enumeratorToken)
        where TResponse : class, IMessage<TResponse>
    {
        using var timeoutSource = options.Timeout is { } timeout ? new CancellationTokenSource(timeout) : null;
        using var callSource = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken, enumeratorToken, timeoutSource?.Token ?? CancellationToken.None);
        using var request = BuildRequest(method, body, options);
        var parser = (MessageParser<TResponse>)method.OutputType.Parser;

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, callSource.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
        {
            throw Translate(exception, timeoutSource, method);
        }

        using (response)
        {
            CheckHttpStatus(response);
            if (TryGetStatus(response.Headers, out var trailersOnlyStatus))
            {
                ThrowIfError(trailersOnlyStatus, response.Headers);
                yield break;
            }

            var encoding = response.Headers.TryGetValues(GrpcProtocol.EncodingHeader, out var values) ? values.FirstOrDefault() : null;
            var stream = await response.Content.ReadAsStreamAsync(callSource.Token).ConfigureAwait(false);
            var reader = PipeReader.Create(stream);
            try
            {
                var count = 0;
                while (true)
                {
                    TResponse? message;
                    try
                    {
                        message = await MessageFraming.ReadMessageAsync(reader, parser, encoding, _options.MaxReceiveMessageSize, callSource.Token).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException or IOException)
                    {
                        throw Translate(exception, timeoutSource, method);
                    }

                    if (message is null)
                    {
                        break;
                    }

                    if (single && ++count > 1)
                    {
                        throw new GrpcException(StatusCode.Internal, $"The server sent more than one response to unary method {method.FullName}.");
                    }

                    yield return message;
                }
            }
            finally
            {
                await reader.CompleteAsync().ConfigureAwait(false);
            }

            if (!TryGetStatus(response.TrailingHeaders, out var status))
            {
                throw new GrpcException(StatusCode.Internal, $"The server ended {method.FullName} without a grpc-status trailer.");
            }

            ThrowIfError(status, response.TrailingHeaders);
        }
    }

    private HttpRequestMessage BuildRequest(MethodDescriptor method, HttpContent body, CallOptions options)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseAddress, $"/{method.Service.FullName}/{method.Name}"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = body,
        };
        body.Headers.ContentType = GrpcMediaType;
        request.Headers.TryAddWithoutValidation("te", "trailers");
        request.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (options.Gzip)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.EncodingHeader, GrpcProtocol.GzipEncoding);
        }

        if (options.Timeout is { } timeout)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcProtocol.FormatTimeout(timeout));
        }

        foreach (var (name, value) in options.Headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static void CheckHttpStatus(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            if (!GrpcProtocol.IsGrpcContentType(response.Content.Headers.ContentType?.ToString()))
            {
                throw new GrpcException(StatusCode.Unknown, $"The server answered with content type '{response.Content.Headers.ContentType}', not application/grpc.");
            }

            return;
        }

        // The HTTP-to-gRPC mapping of doc/http-grpc-status-mapping.md.
        var code = (int)response.StatusCode switch
        {
            400 => StatusCode.Internal,
            401 => StatusCode.Unauthenticated,
            403 => StatusCode.PermissionDenied,
            404 => StatusCode.Unimplemented,
            429 or 502 or 503 or 504 => StatusCode.Unavailable,
            _ => StatusCode.Unknown,
        };
        throw new GrpcException(code, $"The server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}, not a gRPC response.");
    }

    private static bool TryGetStatus(HttpHeaders headers, out StatusCode status)
    {
        status = StatusCode.Unknown;
        if (!headers.TryGetValues(GrpcProtocol.StatusHeader, out var values))
        {
            return false;
        }

        status = int.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code)
            ? (StatusCode)code
            : StatusCode.Unknown;
        return true;
    }

    private static void ThrowIfError(StatusCode status, HttpHeaders headers)
    {
        if (status == StatusCode.OK)
        {
            return;
        }

        var message = headers.TryGetValues(GrpcProtocol.MessageHeader, out var values) ? GrpcProtocol.DecodeMessage(values.FirstOrDefault()) : string.Empty;
        var trailers = headers
            .Where(h => h.Key is not GrpcProtocol.StatusHeader and not GrpcProtocol.MessageHeader)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        throw new GrpcException(status, message) { Trailers = trailers };
    }

    private static GrpcException Translate(Exception exception, CancellationTokenSource? timeoutSource, MethodDescriptor method)
    {
        if (timeoutSource?.IsCancellationRequested == true)
        {
            return new GrpcException(StatusCode.DeadlineExceeded, $"Deadline exceeded calling {method.FullName}.", exception);
        }

        if (exception is OperationCanceledException)
        {
            return new GrpcException(StatusCode.Cancelled, $"Call to {method.FullName} was cancelled.", exception);
        }

        return new GrpcException(StatusCode.Unavailable, $"Could not reach the server for {method.FullName}: {exception.Message}", exception);
    }

    private static void ConfigureTls(SocketsHttpHandler handler, GrpcClientOptions options)
    {
        var ssl = new SslClientAuthenticationOptions
        {
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        };
        if (options.ClientCertificate is not null)
        {
            ssl.ClientCertificates = [options.ClientCertificate];
        }

        if (options.TrustedCertificateAuthority is { } authority)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        handler.SslOptions = ssl;
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Grpc.Client;
using AuthService.Grpc.Health;
using AuthService.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AuthService.Grpc.Tests;

/// <summary>
/// A real Kestrel server on loopback (h2c on a free port, a Unix socket, and TLS that asks for a client
/// certificate), serving health, reflection and the test service. One per test class.
/// </summary>
public sealed class GrpcTestServer : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("grpc-test-").FullName;

    public const int MaxMessageSize = 64 * 1024;

    public string TcpTarget { get; private set; } = "";
    public string HttpsTarget { get; private set; } = "";
    public string UnixTarget => "unix:" + SocketPath;
    public string SocketPath => Path.Combine(_directory, "grpc.sock");
    public string Directory => _directory;
    public X509Certificate2 CertificateAuthority { get; private set; } = null!;
    public X509Certificate2 ClientCertificate { get; private set; } = null!;
    public HealthService Health => _app!.Services.GetRequiredService<HealthService>();
    public TestService Tests => _app!.Services.GetRequiredService<TestService>();

    public GrpcClient Client(string? target = null, GrpcClientOptions? options = null) => GrpcClient.Create(target ?? TcpTarget, options);

    public async Task InitializeAsync()
    {
        var (authority, serverCertificate, clientCertificate) = TestCertificates.Create();
        CertificateAuthority = authority;
        ClientCertificate = clientCertificate;

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.ListenUnixSocket(SocketPath, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = serverCertificate;
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) => certificate.Issuer == authority.Subject;
                });
            });
        });
        builder.Services
            .AddGrpcServer(options =>
            {
                options.MaxReceiveMessageSize = MaxMessageSize;
                options.MaxSendMessageSize = MaxMessageSize;
            })
            .AddGrpcHealthAndReflection()
            .AddGrpcService<TestService>();
        _app = builder.Build();
        _app.UseGrpcServer();
        await _app.StartAsync();

        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.ToList();
        TcpTarget = addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal));
        HttpsTarget = addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal)).Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        System.IO.Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>A throwaway CA, a server certificate for localhost, and a client certificate, all made in memory.</summary>
public static class TestCertificates
{
    public static (X509Certificate2 Authority, X509Certificate2 Server, X509Certificate2 Client) Create()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=AuthService Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        var now = DateTimeOffset.UtcNow;
        var authority = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        // Leaves expire before their CA (Create refuses otherwise), so both read the same clock reading.
        return (authority, Issue(authority, "CN=localhost", server: true, now), Issue(authority, "CN=test-client", server: false, now));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string subject, bool server, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        using var issued = request.Create(authority, now.AddMinutes(-5), now.AddHours(23), RandomNumberGenerator.GetBytes(8));
        // Round-trip through PKCS#12 so SslStream on Linux can use the private key.
        return X509CertificateLoader.LoadPkcs12(issued.CopyWithPrivateKey(key).Export(X509ContentType.Pkcs12), null);
    }
}

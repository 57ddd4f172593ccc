using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using Grpc.Health.V1;

namespace AuthService.Tests;

/// <summary>
/// The real executable with a TLS endpoint configured from PEM files through the environment, requiring
/// client certificates from a private CA: a client with one gets through, a client without one does not.
/// </summary>
public sealed class TlsHostTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("authservice-tls-").FullName;
    private readonly int _port = RunningService.FreePort();
    private Process? _server;
    private X509Certificate2 _authority = null!;
    private X509Certificate2 _client = null!;

    public async Task InitializeAsync()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=TLS Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        _authority = caRequest.CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        await File.WriteAllTextAsync(Path.Combine(_directory, "ca.pem"), _authority.ExportCertificatePem());

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        using var serverCertificate = serverRequest.Create(_authority, now.AddMinutes(-5), now.AddHours(23), RandomNumberGenerator.GetBytes(8));
        await File.WriteAllTextAsync(Path.Combine(_directory, "server.pem"), serverCertificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_directory, "server.key"), serverKey.ExportPkcs8PrivateKeyPem());

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=connector-1", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var clientCertificate = clientRequest.Create(_authority, now.AddMinutes(-5), now.AddHours(23), RandomNumberGenerator.GetBytes(8));
        _client = X509CertificateLoader.LoadPkcs12(clientCertificate.CopyWithPrivateKey(clientKey).Export(X509ContentType.Pkcs12), null);

        _server = Cli.Start(
            new Dictionary<string, string>
            {
                ["AUTHSERVICE_Server__Tcp"] = "",
                ["AUTHSERVICE_Server__Tls__Endpoint"] = $"127.0.0.1:{_port}",
                ["AUTHSERVICE_Server__Tls__CertificatePath"] = Path.Combine(_directory, "server.pem"),
                ["AUTHSERVICE_Server__Tls__KeyPath"] = Path.Combine(_directory, "server.key"),
                ["AUTHSERVICE_Server__Tls__ClientCertificateMode"] = "RequireCertificate",
                ["AUTHSERVICE_Server__Tls__ClientCaPath"] = Path.Combine(_directory, "ca.pem"),
            },
            "serve");
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await CheckAsync(_client);
                return;
            }
            catch (GrpcException)
            {
                if (_server.HasExited)
                {
                    break;
                }

                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException("TLS server did not start: " + await _server.StandardError.ReadToEndAsync());
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync();
        }

        _server?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<HealthCheckResponse> CheckAsync(X509Certificate2? clientCertificate)
    {
        using var client = GrpcClient.Create($"https://localhost:{_port}", new GrpcClientOptions
        {
            TrustedCertificateAuthority = _authority,
            ClientCertificate = clientCertificate,
        });
        return await client.UnaryAsync<HealthCheckRequest, HealthCheckResponse>(
            HealthReflection.Descriptor.Services[0].FindMethodByName("Check"), new HealthCheckRequest(), new CallOptions { Timeout = TimeSpan.FromSeconds(5) });
    }

    [Fact]
    public async Task Check_WithClientCertificateFromTrustedCa_Serving()
    {
        var response = await CheckAsync(_client);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_WithoutClientCertificate_Refused()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => CheckAsync(null));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }
}

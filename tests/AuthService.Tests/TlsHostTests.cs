using System.Diagnostics;
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
    private TestTlsFiles _tls = null!;

    public async Task InitializeAsync()
    {
        _tls = await TestTlsFiles.WriteAsync(_directory);

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
                await CheckAsync(_tls.Client);
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
        _tls?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<HealthCheckResponse> CheckAsync(X509Certificate2? clientCertificate)
    {
        using var client = GrpcClient.Create($"https://localhost:{_port}", new GrpcClientOptions
        {
            TrustedCertificateAuthority = _tls.Authority,
            ClientCertificate = clientCertificate,
        });
        return await client.UnaryAsync<HealthCheckRequest, HealthCheckResponse>(
            HealthReflection.Descriptor.Services[0].FindMethodByName("Check"), new HealthCheckRequest(), new CallOptions { Timeout = TimeSpan.FromSeconds(5) });
    }

    [Fact]
    public async Task Check_WithClientCertificateFromTrustedCa_Serving()
    {
        var response = await CheckAsync(_tls.Client);

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_WithoutClientCertificate_Refused()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => CheckAsync(null));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;

namespace AuthService.Tests;

/// <summary>The real `authservice serve` process, started once for a test class.</summary>
public sealed class RunningService : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("authservice-host-").FullName;
    private Process? _server;
    private string _tcp = "";

    public string Tcp => _tcp;

    public string SocketPath => Path.Combine(_directory, "auth.sock");

    public async Task InitializeAsync()
    {
        _tcp = $"127.0.0.1:{FreePort()}";
        _server = Cli.Start(
            new Dictionary<string, string> { ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "no-configurations.json") },
            "serve", "--tcp", _tcp, "--unix-socket", SocketPath);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (File.Exists(SocketPath))
            {
                var probe = await Cli.RunAsync("health", "--address", $"http://{_tcp}", "--timeout", "1");
                if (probe.ExitCode == 0)
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("authservice serve did not become healthy: " + await _server.StandardError.ReadToEndAsync());
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The real `authservice` executable, probed by its own CLI and by the client.</summary>
public sealed class HostTests : IClassFixture<RunningService>
{
    private readonly string _tcp;
    private readonly string _socketPath;

    public HostTests(RunningService service)
    {
        _tcp = service.Tcp;
        _socketPath = service.SocketPath;
    }

    private static int FreePort() => RunningService.FreePort();

    [Fact]
    public async Task HealthCli_ServerRunning_PrintsServingExitsZero()
    {
        var result = await Cli.RunAsync("health", "--address", $"http://{_tcp}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("SERVING", result.Output.Trim());
    }

    [Fact]
    public async Task HealthCli_OverUnixSocket_Serving()
    {
        // Readiness (no configurations: nothing to check) settles right after start.
        var result = await Cli.RunAsync("health", "--address", "unix:" + _socketPath, "--service", "authservice.v1.SecretsService");
        for (var attempt = 0; attempt < 50 && result.ExitCode != 0; attempt++)
        {
            await Task.Delay(100);
            result = await Cli.RunAsync("health", "--address", "unix:" + _socketPath, "--service", "authservice.v1.SecretsService");
        }

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("SERVING", result.Output.Trim());
    }

    [Fact]
    public async Task HealthCli_UnknownService_ExitTwoWithNotFound()
    {
        var result = await Cli.RunAsync("health", "--address", $"http://{_tcp}", "--service", "no.Such");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NotFound", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HealthCli_NothingListening_ExitTwoUnavailable()
    {
        var result = await Cli.RunAsync("health", "--address", $"http://127.0.0.1:{FreePort()}", "--timeout", "2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Unavailable", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_NoConfigurations_InvalidArgumentSayingHowToAddOne()
    {
        using var client = GrpcClient.Create($"http://{_tcp}");

        var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<GetSecretRequest, GetSecretResponse>(
            SecretsGrpcService.Method("GetSecret"), new GetSecretRequest { Configuration = "default", SecretId = "db" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("no configurations are defined", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_PortAlreadyInUse_ExitTwoWithCleanMessage()
    {
        var result = await Cli.RunAsync("serve", "--tcp", _tcp);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("authservice could not start:", result.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_InvalidEndpoints_ExitTwoListingEveryError()
    {
        var result = await Cli.RunAsync("serve", "--tcp", "nonsense");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Server:Tcp 'nonsense'", result.Errors, StringComparison.Ordinal);
    }
}

/// <summary>Runs the built authservice executable, as an operator would.</summary>
internal static class Cli
{
    private static string Assembly => Path.Combine(AppContext.BaseDirectory, "authservice.dll");

    public static Process Start(params string[] arguments) => Start(new Dictionary<string, string>(), arguments);

    public static Process Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Process.Start(Processes.DotnetStartInfo(Assembly, environment, arguments))!;

    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}

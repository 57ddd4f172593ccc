using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace AuthService.Fuzz;

/// <summary>
/// The real `authservice serve` process, started from this tool's folder on a free loopback port with one
/// static-keys configuration ("fuzz") whose endpoint refuses connections, so GetSecret reaches the cache and the
/// store without any AWS. Or an address given with --address, which is only probed.
/// </summary>
internal sealed class FuzzService : IServiceUnderTest, IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _directory;
    private readonly HttpClient _http = new();

    private FuzzService(Uri address, Process? process, string? directory)
    {
        Address = address;
        _process = process;
        _directory = directory;
    }

    public Uri Address { get; }

    public static async Task<FuzzService> StartAsync(Uri? address)
    {
        if (address is not null)
        {
            return new FuzzService(address, null, null);
        }

        var directory = Directory.CreateTempSubdirectory("authservice-fuzz-").FullName;
        var credentials = Path.Combine(directory, "credentials");
        await File.WriteAllTextAsync(credentials, $"[fuzz]\naws_access_key_id = AKIAFUZZEXAMPLE00001\naws_secret_access_key = {Canaries.SecretKey}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await File.WriteAllTextAsync(Path.Combine(directory, "configurations.json"), """
            { "configurations": [ { "name": "fuzz", "region": "us-east-1", "endpointUrl": "http://127.0.0.1:9", "auth": { "type": "static-keys", "profile": "fuzz" } } ] }
            """);
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            address = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "authservice.dll"), "serve", "--tcp", $"{address.Host}:{address.Port}" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["AUTHSERVICE_Configuration__File"] = Path.Combine(directory, "configurations.json");
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = credentials;
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(directory, "config");
        var process = Process.Start(start)!;
        // Drained so the service never blocks on a full pipe; its logs are not needed here.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var service = new FuzzService(address, process, directory);
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (await service.CheckHealthAsync() is null)
            {
                return service;
            }

            await Task.Delay(100);
        }

        await service.DisposeAsync();
        throw new InvalidOperationException("authservice serve did not become healthy within 15 s");
    }

    public async Task<string?> CheckHealthAsync()
    {
        if (_process is { HasExited: true })
        {
            return $"the service process exited with code {_process.ExitCode}";
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Address, "/grpc.health.v1.Health/Check"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/grpc");
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var response = await _http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            // HealthCheckResponse { status: SERVING (1) } framed: 00 00000002 08 01.
            return body.AsSpan().EndsWith((byte[])[0x08, 0x01]) ? null : $"health check answered {Convert.ToHexString(body)}";
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            return $"health check failed: {e.Message}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}

using System.Diagnostics;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using Grpc.Health.V1;

namespace AuthService.Tests.Access;

/// <summary>Server:Limits reach Kestrel: a service allowing one connection and two streams per connection.</summary>
public sealed class ConnectionLimitTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("authservice-limits-").FullName;
    private Process? _service;
    private string _tcp = "";

    public async Task InitializeAsync() =>
        (_service, _tcp) = await Processes.StartServiceAsync(new Dictionary<string, string>
        {
            ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "none.json"),
            ["AUTHSERVICE_Server__Limits__MaxConnections"] = "1",
            ["AUTHSERVICE_Server__Limits__MaxStreamsPerConnection"] = "2",
        }, _ => { });

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_service);
        Directory.Delete(_directory, recursive: true);
    }

    private static Task<HealthCheckResponse> CheckAsync(GrpcClient client) =>
        client.UnaryAsync<HealthCheckRequest, HealthCheckResponse>(
            HealthReflection.Descriptor.Services[0].FindMethodByName("Check"), new HealthCheckRequest(), new CallOptions { Timeout = TimeSpan.FromSeconds(5) });

    [Fact]
    public async Task SecondConnection_OverMaxConnections_RefusedWhileTheFirstKeepsWorking()
    {
        using var first = GrpcClient.Create($"http://{_tcp}");
        await CheckAsync(first);   // holds the one allowed connection open

        using var second = GrpcClient.Create($"http://{_tcp}");
        var refused = await Assert.ThrowsAsync<GrpcException>(() => CheckAsync(second));
        var stillServed = await CheckAsync(first);

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, stillServed.Status);
    }

    [Fact]
    public void InvalidLimits_ServeRefusesToStartNamingEachSetting()
    {
        var start = Processes.DotnetStartInfo("authservice.dll", new Dictionary<string, string>
        {
            ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "none.json"),
            ["AUTHSERVICE_Server__Limits__MaxStreamsPerConnection"] = "0",
            ["AUTHSERVICE_Server__Limits__MaxRequestBytes"] = "10",
            ["AUTHSERVICE_Server__UnixSocketMode"] = "999",
        }, ["serve", "--tcp", $"127.0.0.1:{RunningService.FreePort()}"]);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit(30_000);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("MaxStreamsPerConnection", errors, StringComparison.Ordinal);
        Assert.Contains("MaxRequestBytes", errors, StringComparison.Ordinal);
        Assert.Contains("UnixSocketMode '999'", errors, StringComparison.Ordinal);
    }
}

using System.Diagnostics;

namespace AuthService.Container.Tests;

/// <summary>The image on its own (`docker run`, no compose): dormancy, health check and graceful stop.</summary>
[Collection(DockerTests.Name)]
public sealed class ContainerLifecycleTests : IAsyncLifetime
{
    private readonly string _name = "cl" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _hostDirectory = Path.Combine(Directory.CreateTempSubdirectory("authservice-cl-").FullName, "auth");

    public async Task InitializeAsync()
    {
        if (await Shell.RunAsync("docker", ["info"]) is not { ExitCode: 0 })
        {
            return;
        }

        // Static keys only (an unreachable endpoint: the call fails, but the credentials path runs): no pkcs11: URI anywhere.
        await Shell.RunCheckedAsync("install", ["-d", "-o", "10001", "-g", "10001", "-m", "0750", _hostDirectory, Path.Combine(_hostDirectory, ".aws")]);
        await File.WriteAllTextAsync(Path.Combine(_hostDirectory, ".aws", "credentials"), "[svc]\naws_access_key_id = AKIAEXAMPLEDORMANT01\naws_secret_access_key = dormant-test-not-a-real-secret\n");
        await File.WriteAllTextAsync(Path.Combine(_hostDirectory, "configurations.json"),
            """{ "configurations": [ { "name": "keys", "region": "us-east-1", "endpointUrl": "http://127.0.0.1:9", "auth": { "type": "static-keys", "profile": "svc" } } ] }""");
        await Shell.DockerCheckedAsync("run", "-d", "--name", _name, "--read-only", "--tmpfs", "/tmp", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true",
            "-v", $"{_hostDirectory}:/opt/alation/site/config/authserver", Images.Service);
    }

    public async Task DisposeAsync()
    {
        await Shell.RunAsync("docker", ["rm", "-f", _name]);
        Directory.Delete(Path.GetDirectoryName(_hostDirectory)!, recursive: true);
    }

    [DockerFact]
    public async Task Dormant_NoPkcs11Profile_SoftHsmNeverLoadedAndNoOtherProcess()
    {
        await ComposeInstall.WaitHealthyAsync(_name);
        var call = await Shell.DockerAsync("exec", _name, "authservice", "secret", "get", "--address", "unix:/run/authservice/auth.sock", "--configuration", "keys", "--secret-id", "app/db");

        var maps = await Shell.DockerCheckedAsync("exec", _name, "cat", "/proc/1/maps");
        var processes = await Shell.DockerCheckedAsync("top", _name, "-o", "pid,args");
        var lines = processes.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();

        Assert.NotEqual(0, call.ExitCode);   // the call did reach the credentials path (and then an unreachable AWS)
        Assert.Contains("/opt/authservice/", maps.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("softhsm", maps.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("opensc", maps.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("p11-kit", maps.Output, StringComparison.Ordinal);
        Assert.True(lines.Count == 1, "expected only the service in the container, found:\n" + processes.Output);
        Assert.Contains("/opt/authservice/authservice serve", lines[0], StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task HealthcheckThenSigterm_Running_HealthyThenExitsZeroWellInsideTheGracePeriod()
    {
        await ComposeInstall.WaitHealthyAsync(_name);
        var signal = (await Shell.DockerCheckedAsync("inspect", "--format", "{{.Config.StopSignal}}", _name)).Output.Trim();

        var clock = Stopwatch.StartNew();
        await Shell.DockerCheckedAsync("stop", "-t", "35", _name);
        clock.Stop();
        var state = (await Shell.DockerCheckedAsync("inspect", "--format", "{{.State.ExitCode}} {{.State.OOMKilled}}", _name)).Output.Trim();
        var logs = await Shell.DockerCheckedAsync("logs", "--tail", "5", _name);

        Assert.Equal("SIGTERM", signal);
        // 0: the host handled SIGTERM and drained (143 would be death by the signal, 137 the SIGKILL after 35 s).
        Assert.Equal("0 false", state);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"docker stop took {clock.Elapsed}");
        Assert.Contains("Application is shutting down", logs.All, StringComparison.Ordinal);
    }
}

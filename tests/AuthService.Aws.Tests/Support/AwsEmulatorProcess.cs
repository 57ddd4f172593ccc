using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AuthService.Aws.Tests.Support;

/// <summary>
/// The project's AwsEmulator (services/AwsEmulator), run as its own process from its build output, so these tests
/// exercise the real wire against a peer that verifies every signature, without a project reference.
/// </summary>
public sealed class AwsEmulatorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private AwsEmulatorProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>AwsEmulator.dll: AUTHSERVICE_AWSEMULATOR_DLL, else the solution's Release build output; null when absent.</summary>
    public static string? DllPath
    {
        get
        {
            if (Environment.GetEnvironmentVariable("AUTHSERVICE_AWSEMULATOR_DLL") is { Length: > 0 } configured)
            {
                return File.Exists(configured) ? configured : null;
            }

            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "AuthService.sln")))
                {
                    var dll = Path.Combine(directory.FullName, "services", "AwsEmulator", "bin", "Release", "net10.0", "AwsEmulator.dll");
                    return File.Exists(dll) ? dll : null;
                }
            }

            return null;
        }
    }

    public static async Task<AwsEmulatorProcess> StartAsync(string seedPath)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { DllPath!, "--seed", seedPath, "--bind", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var address = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"AwsEmulator exited with {process.ExitCode}: {output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(address, "healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return new AwsEmulatorProcess(process, address);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Not answering yet.
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"AwsEmulator did not become healthy within 60 s: {output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that needs the built AwsEmulator; skipped with the command that builds it.</summary>
public sealed class AwsEmulatorFactAttribute : FactAttribute
{
    public AwsEmulatorFactAttribute()
    {
        if (AwsEmulatorProcess.DllPath is null)
        {
            Skip = "AwsEmulator is not built (services/AwsEmulator/bin/Release/net10.0/AwsEmulator.dll): run 'dotnet build AuthService.sln -c Release' (scripts/test does), or set AUTHSERVICE_AWSEMULATOR_DLL";
        }
    }
}

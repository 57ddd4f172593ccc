using System.Diagnostics;

namespace AuthService.Tests.Fuzz;

/// <summary>
/// The fuzzer (tools/AuthService.Fuzz) for a bounded time in CI: the credentials/config parser, PKCS#11 URIs,
/// certificate and key files, gRPC messages and raw HTTP/2 against a real `authservice serve`. Its seed changes
/// daily and is printed; a failure prints the seed and the input in hex (`scripts/fuzz --replay TARGET:HEX`).
/// Longer runs: scripts/fuzz --seconds N.
/// </summary>
public sealed class FuzzHarnessTests
{
    [Fact]
    public async Task Fuzz_SixtySecondsOverEveryTarget_NoCrashNoHangNoLeakAndTheServiceStaysUp()
    {
        var start = Processes.DotnetStartInfo("AuthService.Fuzz.dll", new Dictionary<string, string>(), ["--seconds", "60"]);
        using var fuzz = Process.Start(start)!;
        var output = fuzz.StandardOutput.ReadToEndAsync();
        var errors = fuzz.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await fuzz.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            fuzz.Kill(entireProcessTree: true);
            Assert.Fail("the fuzzer did not finish within 4 minutes (a hang it could not contain): " + await output);
        }

        var report = await output + await errors;
        Assert.True(fuzz.ExitCode == 0, report);
        Assert.Matches(@"fuzz: seed \d+: 0 failures", report);
        foreach (var target in new[] { "profiles", "pkcs11-uri", "pem", "grpc", "http2" })
        {
            // Each target really ran: more than its seeds.
            Assert.Matches($@"fuzz: {target}: \d{{2,}} inputs", report);
        }
    }
}

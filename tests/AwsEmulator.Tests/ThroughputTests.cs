using System.Diagnostics;
using AwsEmulator.Tests.Support;
using Xunit.Abstractions;

namespace AwsEmulator.Tests;

/// <summary>GetSecretValue throughput of the emulator itself (signature checked on every call), so service
/// benchmarks can tell whether they are emulator-bound. The floor is deliberately low for shared CI machines.</summary>
public class ThroughputTests(ITestOutputHelper output)
{
    [Fact]
    public async Task GetSecretValue_SixteenConcurrentClients_ServesAtLeastAFloorPerSecond()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        const int perClient = 150;
        await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);

        var watch = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            var ok = 0;
            for (var i = 0; i < perClient; i++)
            {
                ok += (await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader)).Status == 200 ? 1 : 0;
            }

            return ok;
        }));
        watch.Stop();

        var perSecond = statuses.Sum() / watch.Elapsed.TotalSeconds;
        output.WriteLine($"GetSecretValue: {statuses.Sum()} signed requests in {watch.Elapsed.TotalMilliseconds:F0} ms = {perSecond:F0}/s (16 clients, HTTP/1.1)");
        Assert.Equal(16 * perClient, statuses.Sum());
        Assert.True(perSecond > 100, $"only {perSecond:F0} requests/s");
    }
}

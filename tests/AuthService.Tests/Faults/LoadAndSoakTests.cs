using System.Diagnostics;
using System.Globalization;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;
using Xunit.Abstractions;

namespace AuthService.Tests.Faults;

/// <summary>
/// Load on the real service process over loopback TCP, a cached secret: 10,000 concurrent GetSecret calls with no
/// error, and a soak that samples the service's RSS while GetSecret load runs (60 s here; scripts/soak runs it for
/// longer through AUTHSERVICE_SOAK_SECONDS). Serial with the fault tests: both time things on two cores.
/// </summary>
[Collection(SerialFaults.Name)]
public sealed class LoadAndSoakTests : IClassFixture<FaultService>
{
    private readonly FaultService _service;
    private readonly ITestOutputHelper _output;

    public LoadAndSoakTests(FaultService service, ITestOutputHelper output)
    {
        _service = service;
        _output = output;
    }

    private static GetSecretRequest Request => new() { Configuration = "steady", SecretId = "demo/database", JsonKey = "username" };

    [Fact]
    public async Task GetSecret_TenThousandConcurrentCallsOnACachedSecret_NoErrorAndOneAwsCall()
    {
        // Several clients, each free to open more HTTP/2 connections, as a fleet of connectors would.
        var clients = Enumerable.Range(0, 8).Select(_ => GrpcClient.Create($"http://{_service.Tcp}")).ToList();
        try
        {
            await clients[0].UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"), Request);
            var awsBefore = await _service.EmulatorCountAsync("GetSecretValue");
            var watch = Stopwatch.StartNew();

            var outcomes = await Task.WhenAll(Enumerable.Range(0, 10_000).Select(async i =>
            {
                try
                {
                    var response = await clients[i % clients.Count].UnaryAsync<GetSecretRequest, GetSecretResponse>(
                        SecretsGrpcService.Method("GetSecret"), Request, new CallOptions { Timeout = TimeSpan.FromSeconds(90) });
                    return response.SecretString == "demo" ? "ok" : "wrong value";
                }
                catch (Exception exception) when (exception is GrpcException or HttpRequestException or OperationCanceledException)
                {
                    return exception.GetType().Name + ": " + exception.Message;
                }
            }));
            watch.Stop();

            var errors = outcomes.Where(o => o != "ok").GroupBy(o => o).Select(g => $"{g.Count()} x {g.Key}").ToList();
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"10,000 concurrent GetSecret in {watch.Elapsed.TotalSeconds:0.00} s ({10_000 / watch.Elapsed.TotalSeconds:0} calls/s), {errors.Count} error kinds"));
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            // A cached secret: the burst costs AWS nothing beyond refreshes (its TTL is 300 s).
            Assert.InRange(await _service.EmulatorCountAsync("GetSecretValue") - awsBefore, 0, 1);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task GetSecret_SoakWithSteadyLoad_RssFlatAfterWarmUpAndNoErrors()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("AUTHSERVICE_SOAK_SECONDS"), out var s) && s > 0 ? s : 60;
        var sampleEvery = TimeSpan.FromSeconds(seconds >= 300 ? 5 : 2);
        var tolerance = double.TryParse(Environment.GetEnvironmentVariable("AUTHSERVICE_SOAK_TOLERANCE_PERCENT"), CultureInfo.InvariantCulture, out var t) ? t : 20;
        var report = await Soak.RunAsync(_service.Tcp, _service.Service.Id, Request, TimeSpan.FromSeconds(seconds), sampleEvery, workers: 32, tolerance);

        foreach (var line in report.Lines)
        {
            _output.WriteLine(line);
        }

        // scripts/soak prints this file: the test logger's output is no place to read a table from.
        if (Environment.GetEnvironmentVariable("AUTHSERVICE_SOAK_REPORT") is { Length: > 0 } file)
        {
            await File.WriteAllLinesAsync(file, report.Lines);
        }

        Assert.True(report.Errors == 0, $"{report.Errors} errors, first: {report.FirstError}");
        Assert.True(report.Calls > seconds * 100, $"only {report.Calls} calls in {seconds} s");
        Assert.True(report.Flat, report.Verdict);
    }
}

/// <summary>GetSecret load for a while, the service's RSS sampled from /proc, and a verdict on whether memory stayed flat.</summary>
internal static class Soak
{
    public sealed record Report(IReadOnlyList<string> Lines, long Calls, long Errors, string? FirstError, bool Flat, string Verdict);

    public static async Task<Report> RunAsync(string tcp, int pid, GetSecretRequest request, TimeSpan duration, TimeSpan sampleEvery, int workers, double tolerancePercent)
    {
        long calls = 0, errors = 0;
        string? firstError = null;
        using var stop = new CancellationTokenSource(duration);
        var clients = Enumerable.Range(0, 4).Select(_ => GrpcClient.Create($"http://{tcp}")).ToList();
        var load = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await clients[w % clients.Count].UnaryAsync<GetSecretRequest, GetSecretResponse>(
                        SecretsGrpcService.Method("GetSecret"), request, new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
                    Interlocked.Increment(ref calls);
                }
                catch (Exception exception) when (exception is GrpcException or HttpRequestException or OperationCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, exception.Message, null);
                }
            }
        })).ToList();

        var lines = new List<string> { "| t (s) | calls | calls/s | RSS (MiB) |", "|---|---|---|---|" };
        var samples = new List<(double Seconds, double RssMiB)>();
        var watch = Stopwatch.StartNew();
        long lastCalls = 0;
        var lastAt = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(sampleEvery);
            var now = watch.Elapsed;
            var total = Interlocked.Read(ref calls);
            var rss = RssMiB(pid);
            samples.Add((now.TotalSeconds, rss));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"| {now.TotalSeconds:0} | {total} | {(total - lastCalls) / (now - lastAt).TotalSeconds:0} | {rss:0.0} |"));
            (lastCalls, lastAt) = (total, now);
        }

        await Task.WhenAll(load);
        clients.ForEach(c => c.Dispose());

        // Warm-up (JIT, pools, GC heap sizing) is the first fifth; then compare the first and last quarter of the rest.
        var steady = samples.Skip(samples.Count / 5).Select(p => p.RssMiB).ToList();
        var quarter = Math.Max(1, steady.Count / 4);
        var first = Median(steady.Take(quarter));
        var last = Median(steady.TakeLast(quarter));
        var change = (last - first) / first * 100;
        // Only growth counts: RSS that falls after warm-up (the GC trimming its heap) is not a leak.
        var flat = change <= tolerancePercent;
        var verdict = string.Create(CultureInfo.InvariantCulture,
            $"RSS median {first:0.0} MiB in the first quarter after warm-up, {last:0.0} MiB in the last: {change:+0.0;-0.0}% (limit +{tolerancePercent}%): {(flat ? "FLAT" : "GROWING")}; {calls} calls, {errors} errors, {calls / duration.TotalSeconds:0} calls/s, {workers} concurrent callers");
        lines.Add(verdict);
        return new Report(lines, calls, errors, firstError, flat, verdict);
    }

    private static double RssMiB(int pid) =>
        File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] is var kb ? double.Parse(kb, CultureInfo.InvariantCulture) / 1024 : 0;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

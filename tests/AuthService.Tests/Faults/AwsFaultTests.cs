using System.Diagnostics;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Secrets;

namespace AuthService.Tests.Faults;

/// <summary>
/// AWS misbehaving under a running service: throttling, 5xx, latency past deadlines, connection resets, and a
/// Roles Anywhere outage longer than the credentials' lifetime. The emulator's faults are global, so these run
/// one at a time in one class, each restoring the baseline when done. Every secret/configuration pair is read
/// by one test only, so no test depends on what another cached.
/// </summary>
[Collection(SerialFaults.Name)]
public sealed class AwsFaultTests : IClassFixture<FaultService>
{
    private readonly FaultService _service;

    public AwsFaultTests(FaultService service) => _service = service;

    /// <summary>Waits past the 1 s TTL of the test configurations, so the next read must ask AWS.</summary>
    private static Task PastTtl() => Task.Delay(TimeSpan.FromMilliseconds(1500));

    private Task<GetSecretResponse> RecoveredAsync(string configuration, string secret) => _service.RecoveredAsync(configuration, secret);

    [Fact]
    public async Task GetSecret_ThrottlingBurstWithValueCached_ServedStaleAndFlagged()
    {
        var fresh = await _service.GetAsync("cached", "demo/database");
        try
        {
            await _service.SetFaultsAsync("""{"operation":"*","kind":"throttle"}""");
            await PastTtl();

            var stale = await _service.GetAsync("cached", "demo/database");

            Assert.False(fresh.Cache.Stale);
            Assert.Equal(fresh.SecretString, stale.SecretString);
            Assert.True(stale.Cache.Stale, "a value past its TTL served during throttling must be flagged stale");
            Assert.True(stale.Cache.ServedFromCache);
            Assert.InRange(stale.Cache.Age.ToTimeSpan(), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(61));
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        var recovered = await RecoveredAsync("cached", "demo/database");
        Assert.False(recovered.Cache.Stale);
    }

    [Fact]
    public async Task GetSecret_CredentialsFileEditedDuringAnOutage_CachedValueStillServedStale()
    {
        var fresh = await _service.GetAsync("cached", "demo/database");
        try
        {
            await _service.SetFaultsAsync("""{"operation":"*","kind":"error","status":503}""");
            // Any operator edit of the credentials file gives each configuration a new credentials chain; the
            // cache it serves from must survive that, or an outage plus an edit would lose every value.
            var reloads = Count(_service.Logs, "\"EventId\":2010");
            await File.AppendAllTextAsync(_service.CredentialsFile, $"\n# edited during the outage {Guid.NewGuid():N}\n");
            for (var attempt = 0; attempt < 100 && Count(_service.Logs, "\"EventId\":2010") == reloads; attempt++)
            {
                await Task.Delay(100);
            }

            await PastTtl();
            var stale = await _service.GetAsync("cached", "demo/database");

            Assert.True(Count(_service.Logs, "\"EventId\":2010") > reloads, "the service did not reload the edited credentials file");
            Assert.Equal(fresh.SecretString, stale.SecretString);
            Assert.True(stale.Cache.Stale);
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        Assert.False((await RecoveredAsync("cached", "demo/database")).Cache.Stale);
    }

    private static int Count(string text, string what) => text.Split(what).Length - 1;

    [Fact]
    public async Task GetSecret_ThrottlingWithNothingCached_ResourceExhaustedWithRetryPushback()
    {
        try
        {
            await _service.SetFaultsAsync("""{"operation":"*","kind":"throttle"}""");

            var error = await Assert.ThrowsAsync<GrpcException>(() => _service.GetAsync("uncached", "demo/api-token"));

            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Contains("retry", error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.Equal("1000", error.Trailers.GetValueOrDefault(SecretsGrpcService.RetryPushbackTrailer));
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        Assert.Equal("token-v2", (await RecoveredAsync("uncached", "demo/api-token")).SecretString);
    }

    [Fact]
    public async Task GetSecret_ServerErrors_StaleFlaggedUncachedUnavailableThenRecoversWhenCleared()
    {
        var fresh = await _service.GetAsync("cached", "demo/keystore");
        GetSecretResponse stale;
        GrpcException uncached;
        try
        {
            await _service.SetFaultsAsync("""{"operation":"*","kind":"error","status":503}""");
            await PastTtl();

            stale = await _service.GetAsync("cached", "demo/keystore");
            uncached = await Assert.ThrowsAsync<GrpcException>(() => _service.GetAsync("uncached", "demo/keystore"));
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        var recovered = await RecoveredAsync("cached", "demo/keystore");

        Assert.True(stale.Cache.Stale);
        Assert.Equal(fresh.SecretBinary, stale.SecretBinary);
        Assert.Equal(StatusCode.Unavailable, uncached.StatusCode);
        Assert.Contains("retry later", uncached.Message, StringComparison.Ordinal);
        Assert.False(recovered.Cache.Stale);
        Assert.Equal(fresh.SecretBinary, recovered.SecretBinary);
    }

    [Fact]
    public async Task GetSecret_LatencyBeyondTheDeadline_UncachedDeadlineExceededInTimeExpiredServedStaleBeforeIt()
    {
        // Warm the connection and credentials so only the store's latency counts; the value expires below.
        var fresh = await _service.GetAsync("cached", "demo/api-token");
        GetSecretResponse stale;
        TimeSpan staleElapsed;
        try
        {
            await _service.SetFaultsAsync("""{"operation":"*","kind":"latency","latencyMs":6000}""");
            await PastTtl();

            var watch = Stopwatch.StartNew();
            var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
            {
                try
                {
                    var response = await _service.GetAsync("uncached", "demo/database", TimeSpan.FromSeconds(2));
                    return response.Cache.Stale ? "stale" : "value";
                }
                catch (GrpcException exception)
                {
                    return exception.StatusCode.ToString();
                }
            }));
            var elapsed = watch.Elapsed;
            watch.Restart();
            stale = await _service.GetAsync("cached", "demo/api-token", TimeSpan.FromSeconds(2));
            staleElapsed = watch.Elapsed;

            // Nothing is cached for this pair: each caller gets its own deadline, not the store's 6 s.
            Assert.All(outcomes, outcome => Assert.Equal(nameof(StatusCode.DeadlineExceeded), outcome));
            Assert.True(elapsed < TimeSpan.FromSeconds(5), $"8 callers with a 2 s deadline took {elapsed}");
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        // An expired value that may still be served stale is served just before the caller's deadline, not
        // DEADLINE_EXCEEDED: the store is slow, not failing, but the caller cannot tell the difference.
        Assert.True(stale.Cache.Stale);
        Assert.True(stale.Cache.ServedFromCache);
        Assert.Equal(fresh.SecretString, stale.SecretString);
        Assert.InRange(staleElapsed, TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(2));

        // The slow flight still completes on its own (6 s) and then the service serves normally.
        Assert.Equal("demo", JsonValue(await RecoveredAsync("uncached", "demo/database"), "username"));
    }

    [Fact]
    public async Task GetSecret_ConnectionResets_StaleWhenCachedUnavailableWhenNotThenRecovers()
    {
        var fresh = await _service.GetAsync("cached", "demo/database");
        GetSecretResponse stale;
        GrpcException uncached;
        try
        {
            await _service.SetFaultsAsync("""{"operation":"*","kind":"reset"}""");
            await PastTtl();

            stale = await _service.GetAsync("cached", "demo/database");
            uncached = await Assert.ThrowsAsync<GrpcException>(() => _service.GetAsync("cold", "demo/keystore"));
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        Assert.Equal(fresh.SecretString, stale.SecretString);
        Assert.True(stale.Cache.Stale);
        Assert.Equal(StatusCode.Unavailable, uncached.StatusCode);
        Assert.False((await RecoveredAsync("cold", "demo/keystore")).Cache.Stale);
    }

    [Fact]
    public async Task GetSecret_RolesAnywhereOutageLongerThanTheCredentials_StaleUpToMaxAgeThenRemedyThenRecoversWithoutRestart()
    {
        var fresh = await RecoveredAsync("ra-short", "demo/database");
        var served = new List<GetSecretResponse>();
        GrpcException? failure = null;
        var outage = Stopwatch.StartNew();
        try
        {
            await _service.SetFaultsAsync("""{"operation":"CreateSession","kind":"error","status":503}""");

            // Past the credentials' lifetime, then on until the stale window closes.
            while (failure is null && outage.Elapsed < TimeSpan.FromSeconds(FaultService.SessionLifetimeSeconds + FaultService.RaMaxStaleSeconds + 20))
            {
                await Task.Delay(1000);
                try
                {
                    served.Add(await _service.GetAsync("ra-short", "demo/database"));
                }
                catch (GrpcException exception)
                {
                    failure = exception;
                }
            }
        }
        finally
        {
            await _service.ClearFaultsAsync();
        }

        var recovered = await RecoveredAsync("ra-short", "demo/database");

        // Values served once the credentials had expired were still the cached one, flagged stale.
        Assert.Contains(served, r => r.Cache.Stale);
        Assert.All(served, r => Assert.Equal(fresh.SecretString, r.SecretString));
        Assert.All(served.Where(r => r.Cache.Stale), r => Assert.True(r.Cache.Age.ToTimeSpan() <= TimeSpan.FromSeconds(1 + FaultService.RaMaxStaleSeconds + 1), $"stale age {r.Cache.Age}"));
        Assert.NotNull(failure);
        // An endpoint outage is UNAVAILABLE (retry), not FAILED_PRECONDITION (fix the profile), and says so.
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.True(failure.Message.Contains("ra-short", StringComparison.Ordinal) && failure.Message.Contains("rolesanywhere", StringComparison.Ordinal)
            && failure.Message.Contains("recovers by itself", StringComparison.Ordinal), failure.Message);
        Assert.False(recovered.Cache.Stale);
        Assert.Equal(fresh.SecretString, recovered.SecretString);
    }

    private static string JsonValue(GetSecretResponse response, string key) =>
        System.Text.Json.JsonDocument.Parse(response.SecretString).RootElement.GetProperty(key).GetString()!;
}

using AuthService.Secrets;
using Microsoft.Extensions.Logging.Abstractions;

namespace AuthService.Tests.Secrets;

public class SecretCacheTests
{
    private readonly FakeSecretStore _store = new();
    private readonly FakeTimeProvider _time = new();
    private readonly SecretCacheOptions _options = new()
    {
        Ttl = TimeSpan.FromSeconds(300),
        MaxStale = TimeSpan.FromSeconds(600),
        NegativeTtl = TimeSpan.FromSeconds(5),
        MaxNegativeTtl = TimeSpan.FromSeconds(20),
        ForceRefreshInterval = TimeSpan.FromSeconds(10),
    };

    private SecretCache NewCache() => new(_store, _options, _time, NullLogger.Instance);

    private static SecretQuery Current(string id) => new(id);

    [Fact]
    public async Task GetAsync_MissThenHit_OneStoreCallAndHitFlaggedFromCache()
    {
        _store.Put("db", "s3cret");
        var cache = NewCache();

        var first = await cache.GetAsync(Current("db"), false, default);
        _time.Advance(TimeSpan.FromSeconds(30));
        var second = await cache.GetAsync(Current("db"), false, default);

        Assert.Equal(1, _store.GetCalls);
        Assert.False(first.FromCache);
        Assert.True(second.FromCache);
        Assert.Equal(TimeSpan.FromSeconds(30), second.Age);
        Assert.Equal("s3cret", second.Record.SecretString);
        Assert.False(second.Stale);
    }

    [Fact]
    public async Task GetAsync_NameThenArn_ShareOneEntry()
    {
        _store.Put("db", "v");
        var cache = NewCache();

        await cache.GetAsync(Current("db"), false, default);
        var byArn = await cache.GetAsync(Current(FakeSecretStore.ArnOf("db")), false, default);

        Assert.True(byArn.FromCache);
        Assert.Equal(1, _store.GetCalls);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task GetAsync_FiftyConcurrentMisses_OneStoreCall()
    {
        _store.Put("db", "v");
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cache = NewCache();

        var calls = Enumerable.Range(0, 50).Select(_ => cache.GetAsync(Current("db"), false, default)).ToList();
        _store.Gate.SetResult();
        var results = await Task.WhenAll(calls);

        Assert.Equal(1, _store.GetCalls);
        Assert.All(results, r => Assert.Equal("v", r.Record.SecretString));
    }

    [Fact]
    public async Task GetAsync_ExpiredButUnchanged_DescribeOnlyNoSecondGetSecretValue()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);

        _time.Advance(TimeSpan.FromSeconds(301));
        var result = await cache.GetAsync(Current("db"), false, default);

        Assert.Equal(1, _store.GetCalls);
        Assert.Equal(1, _store.DescribeCalls);
        Assert.Equal("v1", result.Record.SecretString);
        Assert.Equal(TimeSpan.Zero, result.Age);
    }

    [Fact]
    public async Task GetAsync_ExpiredAndRotated_ReadsNewVersion()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Put("db", "v2");

        _time.Advance(TimeSpan.FromSeconds(301));
        var result = await cache.GetAsync(Current("db"), false, default);

        Assert.Equal("v2", result.Record.SecretString);
        Assert.Equal(2, _store.GetCalls);
    }

    [Fact]
    public async Task GetAsync_LateInTtl_ServesCachedAndRefreshesInBackground()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Put("db", "v2");
        _time.Advance(TimeSpan.FromSeconds(250));

        var hit = await cache.GetAsync(Current("db"), false, default);
        await cache.WhenBackgroundIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var after = await cache.GetAsync(Current("db"), false, default);

        Assert.Equal("v1", hit.Record.SecretString);
        Assert.True(hit.FromCache);
        Assert.Equal("v2", after.Record.SecretString);
        Assert.True(after.FromCache);
        Assert.Equal(2, _store.GetCalls);
    }

    [Theory]
    [InlineData(SecretFailureKind.Throttled)]
    [InlineData(SecretFailureKind.Unavailable)]
    [InlineData(SecretFailureKind.Timeout)]
    [InlineData(SecretFailureKind.CredentialsUnavailable)]   // Roles Anywhere down, token unreadable: not the secret's fault
    public async Task GetAsync_ExpiredAndTransientFailure_ServesStaleFlagged(SecretFailureKind kind)
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Failure = new SecretStoreException(kind, "failing");

        _time.Advance(TimeSpan.FromSeconds(400));
        var result = await cache.GetAsync(Current("db"), false, default);

        Assert.True(result.Stale);
        Assert.True(result.FromCache);
        Assert.Equal("v1", result.Record.SecretString);
        Assert.Equal(TimeSpan.FromSeconds(400), result.Age);
    }

    [Fact]
    public async Task GetAsync_ExpiredAndStoreSlowerThanAnswerBy_StaleServedAtAnswerByThenRefreshLands()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Put("db", "v2");
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        _time.Advance(TimeSpan.FromSeconds(400));
        var call = cache.GetAsync(Current("db"), false, _time.GetUtcNow() + TimeSpan.FromSeconds(2), default);
        var waitedForAnswerBy = !call.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(2));
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));
        _store.Gate.SetResult();
        await cache.WhenBackgroundIdleAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var next = await cache.GetAsync(Current("db"), false, default);

        Assert.True(waitedForAnswerBy);
        Assert.True(result.Stale);
        Assert.True(result.FromCache);
        Assert.Equal("v1", result.Record.SecretString);
        // The fetch was not abandoned: its value is what the next caller gets, without another store call.
        Assert.Equal("v2", next.Record.SecretString);
        Assert.False(next.Stale);
        Assert.Equal(2, _store.GetCalls);
    }

    [Fact]
    public async Task GetAsync_StoreAnswersBeforeAnswerBy_FreshValueNotStale()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Put("db", "v2");

        _time.Advance(TimeSpan.FromSeconds(400));
        var result = await cache.GetAsync(Current("db"), false, _time.GetUtcNow() + TimeSpan.FromSeconds(2), default).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("v2", result.Record.SecretString);
        Assert.False(result.Stale);
        Assert.False(result.FromCache);
    }

    [Fact]
    public async Task GetAsync_SlowStoreAndBeyondMaxStale_WaitsForTheStoreInsteadOfServingIt()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Put("db", "v2");
        _store.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        _time.Advance(TimeSpan.FromSeconds(901));
        var call = cache.GetAsync(Current("db"), false, _time.GetUtcNow() + TimeSpan.FromSeconds(2), default);
        _time.Advance(TimeSpan.FromSeconds(3));
        await Task.Delay(50);
        var stillWaiting = !call.IsCompleted;
        _store.Gate.SetResult();
        var result = await call.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(stillWaiting);
        Assert.Equal("v2", result.Record.SecretString);
        Assert.False(result.Stale);
    }

    [Fact]
    public async Task GetAsync_TransientFailureBeyondMaxStale_Throws()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Failure = new SecretStoreException(SecretFailureKind.Throttled, "Rate exceeded");

        _time.Advance(TimeSpan.FromSeconds(901));
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => cache.GetAsync(Current("db"), false, default));

        Assert.Equal(SecretFailureKind.Throttled, error.Kind);
    }

    [Theory]
    [InlineData(SecretFailureKind.AccessDenied)]
    [InlineData(SecretFailureKind.NotFound)]
    [InlineData(SecretFailureKind.DecryptionFailure)]
    public async Task GetAsync_ExpiredAndPermanentFailure_NeverStaleAndEvicted(SecretFailureKind kind)
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Failure = new SecretStoreException(kind, "no");

        _time.Advance(TimeSpan.FromSeconds(301));
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => cache.GetAsync(Current("db"), false, default));

        Assert.Equal(kind, error.Kind);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task GetAsync_NotFound_RememberedWithDoublingBackoff()
    {
        var cache = NewCache();

        await Assert.ThrowsAsync<SecretStoreException>(() => cache.GetAsync(Current("missing"), false, default));
        await Assert.ThrowsAsync<SecretStoreException>(() => cache.GetAsync(Current("missing"), false, default));
        Assert.Equal(1, _store.GetCalls);

        _time.Advance(TimeSpan.FromSeconds(6));
        await Assert.ThrowsAsync<SecretStoreException>(() => cache.GetAsync(Current("missing"), false, default));
        Assert.Equal(2, _store.GetCalls);

        _time.Advance(TimeSpan.FromSeconds(6));   // the period doubled to 10 s
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => cache.GetAsync(Current("missing"), false, default));
        Assert.Equal(2, _store.GetCalls);
        Assert.Equal(SecretFailureKind.NotFound, error.Kind);

        _store.Put("missing", "now here");
        _time.Advance(TimeSpan.FromSeconds(5));
        var found = await cache.GetAsync(Current("missing"), false, default);
        Assert.Equal("now here", found.Record.SecretString);
    }

    [Fact]
    public async Task GetAsync_MoreSecretsThanMaxEntries_LeastRecentlyUsedEvicted()
    {
        _options.MaxEntries = 3;
        var cache = NewCache();
        foreach (var name in new[] { "a", "b", "c", "d" })
        {
            _store.Put(name, name);
        }

        await cache.GetAsync(Current("a"), false, default);
        await cache.GetAsync(Current("b"), false, default);
        await cache.GetAsync(Current("c"), false, default);
        await cache.GetAsync(Current("a"), false, default);   // a is now the most recent
        await cache.GetAsync(Current("d"), false, default);   // evicts b

        Assert.Equal(3, cache.Count);
        Assert.True((await cache.GetAsync(Current("a"), false, default)).FromCache);
        Assert.False((await cache.GetAsync(Current("b"), false, default)).FromCache);
    }

    [Fact]
    public async Task GetAsync_ValuesOverMaxBytes_EvictedToFit()
    {
        _options.MaxBytes = 5_000;
        var cache = NewCache();
        for (var i = 0; i < 5; i++)
        {
            _store.Put("s" + i, new string('x', 1_000));
            await cache.GetAsync(Current("s" + i), false, default);
        }

        Assert.True(cache.Bytes <= 5_000, $"{cache.Bytes} bytes cached");
        Assert.True(cache.Count < 5);
    }

    [Fact]
    public async Task GetAsync_ForceRefresh_RateLimitedPerKey()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);

        var forced = await cache.GetAsync(Current("db"), true, default);
        var tooSoon = await cache.GetAsync(Current("db"), true, default);
        _time.Advance(TimeSpan.FromSeconds(11));
        var later = await cache.GetAsync(Current("db"), true, default);

        Assert.False(forced.FromCache);
        Assert.True(tooSoon.FromCache);
        Assert.False(later.FromCache);
        Assert.Equal(1, _store.GetCalls);
        Assert.Equal(2, _store.DescribeCalls);
    }

    [Fact]
    public async Task GetAsync_ByStageAndByVersionId_SeparateEntries()
    {
        var first = _store.Put("db", "v1");
        _store.Put("db", "v2");
        var cache = NewCache();

        var current = await cache.GetAsync(Current("db"), false, default);
        var previous = await cache.GetAsync(new SecretQuery("db", VersionStage: "AWSPREVIOUS"), false, default);
        var byId = await cache.GetAsync(new SecretQuery("db", VersionId: first), false, default);

        Assert.Equal("v2", current.Record.SecretString);
        Assert.Equal("v1", previous.Record.SecretString);
        Assert.Equal("v1", byId.Record.SecretString);
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public async Task RefreshDueAsync_EntryInUse_RefreshedBeforeExpiry()
    {
        _store.Put("db", "v1");
        var cache = NewCache();
        await cache.GetAsync(Current("db"), false, default);
        _store.Put("db", "v2");
        _time.Advance(TimeSpan.FromSeconds(245));

        await cache.RefreshDueAsync(default);
        _time.Advance(TimeSpan.FromSeconds(100));   // past the original expiry
        var result = await cache.GetAsync(Current("db"), false, default);

        Assert.Equal("v2", result.Record.SecretString);
        Assert.True(result.FromCache);
    }

    [Fact]
    public async Task GetAsync_StoreHangs_TimeoutAfterFetchTimeout()
    {
        _store.Put("db", "v");
        _store.Gate = new TaskCompletionSource();
        var cache = NewCache();

        var call = cache.GetAsync(Current("db"), false, default);
        _time.Advance(TimeSpan.FromSeconds(16));
        var error = await Assert.ThrowsAsync<SecretStoreException>(() => call.WaitAsync(TimeSpan.FromSeconds(10)));

        Assert.Equal(SecretFailureKind.Timeout, error.Kind);
    }

    [Fact]
    public void SecretRecord_ToString_NeverShowsTheValue()
    {
        var record = new SecretRecord("arn", "name", "v", ["AWSCURRENT"], null, "hunter2", [1, 2, 3]);

        Assert.DoesNotContain("hunter2", record.ToString(), StringComparison.Ordinal);
    }
}

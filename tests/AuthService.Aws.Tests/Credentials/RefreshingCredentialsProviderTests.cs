using AuthService.Aws.Credentials;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Credentials;

/// <summary>Refresh ahead of expiry, single-flight and keep-last-good, under a fake clock.</summary>
public class RefreshingCredentialsProviderTests
{
    private static readonly DateTimeOffset Start = new(2025, 12, 11, 12, 0, 0, TimeSpan.Zero);

    private static AwsCredentials Credentials(int generation, DateTimeOffset expiration) => new($"AKID{generation}", "S", "T", expiration);

    [Fact]
    public async Task GetCredentialsAsync_BeforeRefreshWindow_ServesCacheWithoutFetching()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var provider = new RefreshingCredentialsProvider(_ => Task.FromResult(Credentials(++fetches, Start.AddHours(1))), time) { Jitter = () => 0 };

        // Act
        var first = await provider.GetCredentialsAsync();
        time.Advance(TimeSpan.FromMinutes(54));
        var second = await provider.GetCredentialsAsync();

        // Assert
        Assert.Equal(1, fetches);
        Assert.Same(first, second);
        Assert.Equal(Start.AddMinutes(55), provider.RefreshAt);
    }

    [Fact]
    public async Task GetCredentialsAsync_InRefreshWindow_RefreshesInBackgroundAndKeepsServingCache()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var provider = new RefreshingCredentialsProvider(_ => Task.FromResult(Credentials(++fetches, time.GetUtcNow().AddHours(1))), time) { Jitter = () => 0 };
        await provider.GetCredentialsAsync();

        // Act
        time.Advance(TimeSpan.FromMinutes(56));
        var duringRefresh = await provider.GetCredentialsAsync();
        await provider.LastRefresh!;
        var afterRefresh = await provider.GetCredentialsAsync();

        // Assert
        Assert.Equal("AKID1", duringRefresh.AccessKeyId);
        Assert.Equal("AKID2", afterRefresh.AccessKeyId);
        Assert.Equal(2, fetches);
    }

    [Fact]
    public async Task GetCredentialsAsync_Jitter_MovesRefreshEarlierByUpToMaxJitter()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var provider = new RefreshingCredentialsProvider(_ => Task.FromResult(Credentials(1, Start.AddHours(1))), time, maxJitter: TimeSpan.FromMinutes(2)) { Jitter = () => 0.5 };

        // Act
        await provider.GetCredentialsAsync();

        // Assert
        Assert.Equal(Start.AddHours(1) - TimeSpan.FromMinutes(6), provider.RefreshAt);
    }

    [Fact]
    public async Task GetCredentialsAsync_ManyConcurrentCallersWithEmptyCache_FetchOnce()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var gate = new TaskCompletionSource<AwsCredentials>(TaskCreationOptions.RunContinuationsAsynchronously);
        var provider = new RefreshingCredentialsProvider(_ =>
        {
            Interlocked.Increment(ref fetches);
            return gate.Task;
        }, time);

        // Act
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () => await provider.GetCredentialsAsync())).ToList();
        while (Volatile.Read(ref fetches) == 0)
        {
            await Task.Yield();
        }

        gate.SetResult(Credentials(1, Start.AddHours(1)));
        var results = await Task.WhenAll(callers);

        // Assert
        Assert.Equal(1, fetches);
        Assert.All(results, r => Assert.Equal("AKID1", r.AccessKeyId));
    }

    [Fact]
    public async Task GetCredentialsAsync_RefreshFails_KeepsLastGoodUntilItReallyExpires()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var provider = new RefreshingCredentialsProvider(_ =>
        {
            fetches++;
            return fetches == 1 ? Task.FromResult(Credentials(1, Start.AddHours(1))) : Task.FromException<AwsCredentials>(new InvalidOperationException("CreateSession failed"));
        }, time) { Jitter = () => 0 };
        await provider.GetCredentialsAsync();

        // Act
        time.Advance(TimeSpan.FromMinutes(58));
        var stillGood = await provider.GetCredentialsAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => provider.LastRefresh!);
        time.Advance(TimeSpan.FromSeconds(30));
        var stillGoodLater = await provider.GetCredentialsAsync();
        time.Advance(TimeSpan.FromMinutes(2));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await provider.GetCredentialsAsync());

        // Assert
        Assert.Equal("AKID1", stillGood.AccessKeyId);
        Assert.Equal("AKID1", stillGoodLater.AccessKeyId);
        Assert.Equal("CreateSession failed", error.Message);
    }

    [Fact]
    public async Task GetCredentialsAsync_FailedRefresh_WaitsBackoffBeforeTryingAgain()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var provider = new RefreshingCredentialsProvider(_ =>
        {
            fetches++;
            return fetches == 1 ? Task.FromResult(Credentials(1, Start.AddHours(1))) : Task.FromException<AwsCredentials>(new InvalidOperationException("down"));
        }, time, failureBackoff: TimeSpan.FromSeconds(10)) { Jitter = () => 0 };
        await provider.GetCredentialsAsync();
        time.Advance(TimeSpan.FromMinutes(56));
        await provider.GetCredentialsAsync();
        var failed = provider.LastRefresh!;
        await Assert.ThrowsAsync<InvalidOperationException>(() => failed);

        // Act
        time.Advance(TimeSpan.FromSeconds(5));
        await provider.GetCredentialsAsync();
        var withinBackoff = provider.LastRefresh;
        time.Advance(TimeSpan.FromSeconds(6));
        await provider.GetCredentialsAsync();
        var afterBackoff = provider.LastRefresh!;
        await Assert.ThrowsAsync<InvalidOperationException>(() => afterBackoff);

        // Assert
        Assert.Same(failed, withinBackoff);
        Assert.NotSame(failed, afterBackoff);
        Assert.Equal(3, fetches);
    }

    [Fact]
    public async Task GetCredentialsAsync_NoExpiration_NeverRefreshes()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var provider = new RefreshingCredentialsProvider(_ => Task.FromResult(new AwsCredentials($"A{++fetches}", "S")), time);

        // Act
        await provider.GetCredentialsAsync();
        time.Advance(TimeSpan.FromDays(400));
        var later = await provider.GetCredentialsAsync();

        // Assert
        Assert.Equal(1, fetches);
        Assert.Equal("A1", later.AccessKeyId);
    }

    [Fact]
    public async Task GetCredentialsAsync_BackgroundRefreshFails_ReportsErrorWhileServingLastGood()
    {
        // Arrange
        var time = new FakeTimeProvider(Start);
        var fetches = 0;
        var reported = new List<Exception>();
        var provider = new RefreshingCredentialsProvider(_ => ++fetches == 1
            ? Task.FromResult(Credentials(1, Start.AddHours(1)))
            : Task.FromException<AwsCredentials>(new InvalidOperationException("Untrusted Signing Certificate")), time)
        {
            Jitter = () => 0,
            RefreshFailed = reported.Add,
        };
        await provider.GetCredentialsAsync();

        // Act
        time.Advance(TimeSpan.FromMinutes(56));
        var served = await provider.GetCredentialsAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => provider.LastRefresh!);

        // Assert
        Assert.Equal("AKID1", served.AccessKeyId);
        Assert.Equal("Untrusted Signing Certificate", Assert.Single(reported).Message);
        Assert.Same(reported[0], provider.LastError);
    }
}

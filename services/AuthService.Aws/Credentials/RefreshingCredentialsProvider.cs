namespace AuthService.Aws.Credentials;

/// <summary>
/// Caches temporary credentials and refreshes them ahead of expiry (default 5 minutes plus up to 1 minute of
/// jitter, so many providers do not refresh at once). One refresh at a time however many callers (single-flight);
/// when a refresh fails, the last good credentials keep being served until they really expire.
/// </summary>
public sealed class RefreshingCredentialsProvider : IAwsCredentialsProvider
{
    private readonly Func<CancellationToken, Task<AwsCredentials>> _fetch;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _refreshAhead;
    private readonly TimeSpan _maxJitter;
    private readonly TimeSpan _failureBackoff;
    private readonly Lock _lock = new();
    private AwsCredentials? _current;
    private DateTimeOffset _refreshAt;
    private DateTimeOffset _noAttemptBefore;
    private Task<AwsCredentials>? _refresh;
    private Task<AwsCredentials>? _lastRefresh;
    private Exception? _lastError;

    /// <summary>Creates the provider.</summary>
    /// <param name="fetch">Obtains new credentials (CreateSession, a process, STS, ...). Called by one caller at a time.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="refreshAhead">How long before expiry to refresh (default 5 minutes).</param>
    /// <param name="maxJitter">Up to this much earlier still, at random (default 1 minute).</param>
    /// <param name="failureBackoff">After a failed refresh while the old credentials are still good, wait this long before trying again (default 10 s).</param>
    public RefreshingCredentialsProvider(
        Func<CancellationToken, Task<AwsCredentials>> fetch, TimeProvider timeProvider, TimeSpan? refreshAhead = null, TimeSpan? maxJitter = null,
        TimeSpan? failureBackoff = null)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _fetch = fetch;
        _timeProvider = timeProvider;
        _refreshAhead = refreshAhead ?? TimeSpan.FromMinutes(5);
        _maxJitter = maxJitter ?? TimeSpan.FromMinutes(1);
        _failureBackoff = failureBackoff ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>
    /// Called with the exception of every failed refresh, including background ones whose failure callers do not see
    /// because the last good credentials are still served (wire it to a log or a health check). Never throw from it.
    /// </summary>
    public Action<Exception>? RefreshFailed { get; init; }

    /// <summary>The error of the latest refresh if it failed; null after a success (for health checks).</summary>
    public Exception? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>The jitter source, uniform in [0, 1) (tests pin it).</summary>
    internal Func<double> Jitter { get; set; } = Random.Shared.NextDouble;

    /// <summary>When the cached credentials will next be refreshed (for health checks and tests).</summary>
    public DateTimeOffset? RefreshAt
    {
        get
        {
            lock (_lock)
            {
                return _current is null ? null : _refreshAt;
            }
        }
    }

    /// <summary>The most recently started refresh, finished or not (tests await it).</summary>
    internal Task<AwsCredentials>? LastRefresh
    {
        get
        {
            lock (_lock)
            {
                return _lastRefresh;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// With valid cached credentials this never waits: inside the refresh window it starts the single refresh in
    /// the background and still answers from the cache. Only a caller with nothing valid cached waits, and all such
    /// callers share one refresh.
    /// </remarks>
    public async ValueTask<AwsCredentials> GetCredentialsAsync(CancellationToken cancellationToken = default)
    {
        Task<AwsCredentials> refresh;
        lock (_lock)
        {
            var now = _timeProvider.GetUtcNow();
            if (_current is { } current && !current.IsExpired(now))
            {
                if (now >= _refreshAt && now >= _noAttemptBefore && _refresh is null)
                {
                    _refresh = _lastRefresh = RefreshAsync();

                    // A failed background refresh is not an error for anyone yet: the cache is still good.
                    _ = _refresh.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                }

                return current;
            }

            refresh = _refresh ??= _lastRefresh = RefreshAsync();
        }

        // The shared refresh is not cancelled by one caller giving up: others may be waiting on it.
        return await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<AwsCredentials> RefreshAsync()
    {
        await Task.Yield();
        try
        {
            var fresh = await _fetch(CancellationToken.None).ConfigureAwait(false);
            lock (_lock)
            {
                _current = fresh;
                _refreshAt = fresh.Expiration is { } expiration
                    ? expiration - _refreshAhead - TimeSpan.FromTicks((long)(_maxJitter.Ticks * Jitter()))
                    : DateTimeOffset.MaxValue;
                _refresh = null;
                _lastError = null;
            }

            return fresh;
        }
        catch (Exception e)
        {
            lock (_lock)
            {
                _noAttemptBefore = _timeProvider.GetUtcNow() + _failureBackoff;
                _refresh = null;
                _lastError = e;
            }

            RefreshFailed?.Invoke(e);
            throw;
        }
    }
}

using System.Collections.Concurrent;

namespace AuthService.Secrets;

/// <summary>What a secret request asks for. Neither version field set means the AWSCURRENT stage.</summary>
public sealed record SecretQuery(string SecretId, string? VersionId = null, string? VersionStage = null)
{
    public const string CurrentStage = "AWSCURRENT";

    /// <summary>The version selector as part of a cache key: "id:..." or "stage:...".</summary>
    public string Selector => VersionId is not null ? "id:" + VersionId : "stage:" + (VersionStage ?? CurrentStage);
}

/// <summary>A served secret and how it was served.</summary>
public sealed record SecretLookup(SecretRecord Record, bool FromCache, TimeSpan Age, bool Stale);

/// <summary>
/// The secret cache of one configuration. A fresh hit never waits on the store; hits late in their TTL start a
/// background refresh; refreshes ask DescribeSecret first and only call GetSecretValue when the version
/// changed; concurrent misses of one key share one store call; transient store failures serve the last value
/// (flagged stale) up to MaxStale; not-found and denied answers are remembered with backoff and never served
/// stale; the cache is LRU-bounded by entries and bytes. A secret's name and ARN share one entry.
/// </summary>
public sealed class SecretCache
{
    private readonly ISecretStore _store;
    private readonly SecretCacheOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _recency = new();
    private readonly ConcurrentDictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Negative> _negatives = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<Entry>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private long _bytes;

    public SecretCache(ISecretStore store, SecretCacheOptions options, TimeProvider time, ILogger logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Number of cached values.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Approximate bytes held by cached values.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Serves a secret, from the cache when it can.</summary>
    public Task<SecretLookup> GetAsync(SecretQuery query, bool forceRefresh, CancellationToken cancellationToken) =>
        GetAsync(query, forceRefresh, answerBy: null, cancellationToken);

    /// <summary>
    /// Serves a secret, from the cache when it can. <paramref name="answerBy"/> is when the caller must have an
    /// answer (its deadline less the way back): if the value has expired but may still be served stale, and the
    /// store has not answered by then, the stale value is served rather than letting the caller's deadline pass.
    /// The fetch goes on and refreshes the cache for the next caller.
    /// </summary>
    public async Task<SecretLookup> GetAsync(SecretQuery query, bool forceRefresh, DateTimeOffset? answerBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var key = KeyOf(query);
        var now = _time.GetUtcNow();
        var entry = Touch(key, now);

        if (entry is null && !forceRefresh && _negatives.TryGetValue(key, out var negative) && now < negative.Until)
        {
            throw new SecretStoreException(negative.Error.Kind, negative.Error.Message);
        }

        if (entry is not null)
        {
            var age = now - entry.FetchedAt;
            var forced = forceRefresh && now - entry.LastForcedRefresh >= _options.ForceRefreshInterval;
            if (!forced && age < _options.Ttl)
            {
                if (age >= _options.Ttl * _options.RefreshAheadFraction)
                {
                    RefreshInBackground(key, query, entry);
                }

                return new SecretLookup(entry.Record, FromCache: true, age, Stale: false);
            }

            if (forced)
            {
                entry.LastForcedRefresh = now;
            }

            var servableStale = age < _options.Ttl + _options.MaxStale;
            try
            {
                var fetch = FetchAsync(key, query, entry);
                if (servableStale && answerBy is { } by && !await CompletesByAsync(fetch, by, cancellationToken).ConfigureAwait(false))
                {
                    ObserveInBackground(fetch, entry.Record.Arn);
                    SecretCacheLog.ServingStaleWhileSlow(_logger, entry.Record.Arn, age);
                    return new SecretLookup(entry.Record, FromCache: true, age, Stale: age >= _options.Ttl);
                }

                var refreshed = await fetch.WaitAsync(cancellationToken).ConfigureAwait(false);
                return new SecretLookup(refreshed.Record, FromCache: false, _time.GetUtcNow() - refreshed.FetchedAt, Stale: false);
            }
            catch (SecretStoreException exception) when (exception.IsTransient && servableStale)
            {
                SecretCacheLog.ServingStale(_logger, entry.Record.Arn, exception.Kind, age);
                return new SecretLookup(entry.Record, FromCache: true, age, Stale: age >= _options.Ttl);
            }
        }

        var fetched = await FetchAsync(key, query, existing: null).WaitAsync(cancellationToken).ConfigureAwait(false);
        return new SecretLookup(fetched.Record, FromCache: fetched.FetchedAt < now, _time.GetUtcNow() - fetched.FetchedAt, Stale: false);
    }

    /// <summary>
    /// Refreshes every value that was used within its TTL and is due (past the refresh-ahead point), so
    /// values in steady use never expire. Called periodically by the host.
    /// </summary>
    public async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        List<(string Key, Entry Entry)> due;
        lock (_gate)
        {
            due = _entries
                .Where(e => now - e.Value.FetchedAt >= _options.Ttl * _options.RefreshAheadFraction && now - e.Value.LastAccess < _options.Ttl)
                .Select(e => (e.Key, e.Value))
                .ToList();
        }

        foreach (var (key, entry) in due)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await FetchAsync(key, entry.Query, entry).ConfigureAwait(false);
            }
            catch (SecretStoreException exception)
            {
                SecretCacheLog.RefreshFailed(_logger, entry.Record.Arn, exception.Kind);
            }
        }
    }

    private string KeyOf(SecretQuery query)
    {
        var id = _aliases.TryGetValue(query.SecretId, out var arn) ? arn : query.SecretId;
        return id + "\n" + query.Selector;
    }

    private Entry? Touch(string key, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return null;
            }

            entry.LastAccess = now;
            _recency.Remove(entry.Node);
            _recency.AddFirst(entry.Node);
            return entry;
        }
    }

    private void RefreshInBackground(string key, SecretQuery query, Entry entry)
    {
        if (_inFlight.ContainsKey(key))
        {
            return;
        }

        // Off the caller's path: the hit returns now, even if signing or the store is slow.
        var refresh = Task.Run(async () =>
        {
            try
            {
                await FetchAsync(key, query, entry).ConfigureAwait(false);
            }
            catch (SecretStoreException exception)
            {
                SecretCacheLog.RefreshFailed(_logger, entry.Record.Arn, exception.Kind);
            }
        });
        _background[refresh] = 0;
        refresh.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Whether <paramref name="fetch"/> finished (either way) before <paramref name="answerBy"/>.</summary>
    private async Task<bool> CompletesByAsync(Task<Entry> fetch, DateTimeOffset answerBy, CancellationToken cancellationToken)
    {
        var wait = answerBy - _time.GetUtcNow();
        if (!fetch.IsCompleted && wait > TimeSpan.Zero)
        {
            using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var timer = Task.Delay(wait, _time, stopTimer.Token);
            await Task.WhenAny(fetch, timer).ConfigureAwait(false);
            await stopTimer.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }

        return fetch.IsCompleted;
    }

    /// <summary>A fetch nobody waits for any more still reports its failure, like a background refresh.</summary>
    private void ObserveInBackground(Task<Entry> fetch, string secretArn)
    {
        var observed = fetch.ContinueWith(
            t =>
            {
                if (t.Exception?.InnerException is SecretStoreException exception)
                {
                    SecretCacheLog.RefreshFailed(_logger, secretArn, exception.Kind);
                }
            },
            TaskScheduler.Default);
        _background[observed] = 0;
        observed.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>Completes when no background refresh is running (for tests and graceful shutdown).</summary>
    internal Task WhenBackgroundIdleAsync() => Task.WhenAll(_background.Keys);

    /// <summary>One store call per key at a time; every caller of that key awaits the same task.</summary>
    private Task<Entry> FetchAsync(string key, SecretQuery query, Entry? existing)
    {
        var flight = _inFlight.GetOrAdd(key, _ => new Lazy<Task<Entry>>(() => FetchAndStoreAsync(key, query, existing)));
        return flight.Value;
    }

    private async Task<Entry> FetchAndStoreAsync(string key, SecretQuery query, Entry? existing)
    {
        try
        {
            // A miss keyed by the id the caller used may start just after another flight stored the secret under
            // its ARN (and taught the name -> ARN alias): look again before calling the store a second time.
            if (existing is null && KeyOf(query) is var resolved && resolved != key
                && Touch(resolved, _time.GetUtcNow()) is { } stored && _time.GetUtcNow() - stored.FetchedAt < _options.Ttl)
            {
                return stored;
            }

            using var timeout = new CancellationTokenSource(_options.FetchTimeout, _time);
            SecretRecord record;
            try
            {
                record = await ReadAsync(query, existing, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException exception) when (timeout.IsCancellationRequested)
            {
                throw new SecretStoreException(
                    SecretFailureKind.Timeout,
                    $"Secrets Manager did not answer within {_options.FetchTimeout.TotalSeconds:0.#} s; check network access to the endpoint.",
                    exception);
            }

            _negatives.TryRemove(key, out _);
            return Store(query, record, existing);
        }
        catch (SecretStoreException exception) when (!exception.IsTransient)
        {
            Forget(key);
            if (exception.IsNegativelyCached)
            {
                RememberFailure(key, exception);
            }

            throw;
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    /// <summary>A refresh asks for the version first, so an unchanged secret costs no GetSecretValue.</summary>
    private async Task<SecretRecord> ReadAsync(SecretQuery query, Entry? existing, CancellationToken cancellationToken)
    {
        if (existing is not null)
        {
            var versions = await _store.DescribeSecretAsync(existing.Record.Arn, cancellationToken).ConfigureAwait(false);
            var current = query.VersionId ?? versions.VersionWithStage(query.VersionStage ?? SecretQuery.CurrentStage);
            if (current == existing.Record.VersionId && versions.VersionIdsToStages.TryGetValue(current, out var stages))
            {
                SecretCacheLog.VersionUnchanged(_logger, existing.Record.Arn);
                return existing.Record with { VersionStages = stages };
            }
        }

        return await _store.GetSecretValueAsync(query.SecretId, query.VersionId, query.VersionStage, cancellationToken).ConfigureAwait(false);
    }

    private Entry Store(SecretQuery query, SecretRecord record, Entry? existing)
    {
        var key = record.Arn + "\n" + query.Selector;
        var now = _time.GetUtcNow();
        var entry = new Entry(key, query, record, now) { LastAccess = existing?.LastAccess ?? now, LastForcedRefresh = existing?.LastForcedRefresh ?? DateTimeOffset.MinValue };
        lock (_gate)
        {
            RemoveLocked(key);
            if (existing is not null)
            {
                RemoveLocked(existing.Key);
            }

            _entries[key] = entry;
            _recency.AddFirst(entry.Node);
            Interlocked.Add(ref _bytes, record.SizeBytes);
            while (_entries.Count > _options.MaxEntries || (Interlocked.Read(ref _bytes) > _options.MaxBytes && _entries.Count > 1))
            {
                RemoveLocked(_recency.Last!.Value);
            }
        }

        // A name and its ARN (and the id the caller used) now all lead to this entry.
        _aliases[query.SecretId] = record.Arn;
        _aliases[record.Name] = record.Arn;
        _aliases[record.Arn] = record.Arn;
        return entry;
    }

    private void Forget(string key)
    {
        lock (_gate)
        {
            RemoveLocked(key);
        }
    }

    private void RemoveLocked(string key)
    {
        if (_entries.Remove(key, out var entry))
        {
            _recency.Remove(entry.Node);
            Interlocked.Add(ref _bytes, -entry.Record.SizeBytes);
        }
    }

    private void RememberFailure(string key, SecretStoreException error)
    {
        var now = _time.GetUtcNow();
        _negatives.AddOrUpdate(
            key,
            _ => new Negative(error, now + _options.NegativeTtl, _options.NegativeTtl),
            (_, previous) =>
            {
                var period = TimeSpan.FromTicks(Math.Min(previous.Period.Ticks * 2, _options.MaxNegativeTtl.Ticks));
                return new Negative(error, now + period, period);
            });
    }

    private sealed class Entry
    {
        public Entry(string key, SecretQuery query, SecretRecord record, DateTimeOffset fetchedAt)
        {
            Key = key;
            Query = query;
            Record = record;
            FetchedAt = fetchedAt;
            Node = new LinkedListNode<string>(key);
        }

        public string Key { get; }

        public SecretQuery Query { get; }

        public SecretRecord Record { get; }

        public DateTimeOffset FetchedAt { get; }

        public LinkedListNode<string> Node { get; }

        public DateTimeOffset LastAccess { get; set; }

        public DateTimeOffset LastForcedRefresh { get; set; }
    }

    private sealed record Negative(SecretStoreException Error, DateTimeOffset Until, TimeSpan Period);
}

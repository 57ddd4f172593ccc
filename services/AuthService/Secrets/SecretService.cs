using System.Collections.Concurrent;
using AuthService.Configuration;

namespace AuthService.Secrets;

/// <summary>A secret as served to a connector: the record, how it was served, and the json_key value if asked.</summary>
public sealed record ServedSecret(SecretLookup Lookup, string? JsonValue);

/// <summary>
/// Serves secrets through named configurations: one cache and one credentials chain per configuration,
/// rebuilt when that configuration changes and kept (with its warm cache) when it does not.
/// </summary>
public sealed class SecretService
{
    private readonly ConfigurationStore _configurations;
    private readonly ISecretStoreFactory _stores;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ConcurrentDictionary<string, Runtime> _runtimes = new(StringComparer.Ordinal);

    public SecretService(ConfigurationStore configurations, ISecretStoreFactory stores, TimeProvider time, ILoggerFactory loggers)
    {
        _configurations = configurations;
        _stores = stores;
        _time = time;
        _loggers = loggers;
    }

    /// <summary>
    /// Gives every configuration a new credentials chain from the changed AWS files (a rotated key or PIN takes
    /// effect without a restart) while keeping its cache: if AWS is unreachable at that moment, cached values
    /// are still served. A configuration whose new chain cannot be built keeps the one it had.
    /// </summary>
    public void ResetCredentials()
    {
        foreach (var runtime in _runtimes.Values)
        {
            try
            {
                runtime.Store.Replace(_stores.Create(runtime.Configuration));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The next call reports it through the old chain or its own failure; nothing cached is dropped.
            }
        }
    }

    /// <summary>A secret through one configuration's cache; <paramref name="answerBy"/>: see <see cref="SecretCache.GetAsync(SecretQuery, bool, DateTimeOffset?, CancellationToken)"/>.</summary>
    public async Task<ServedSecret> GetAsync(string configuration, SecretQuery query, string? jsonKey, bool forceRefresh, DateTimeOffset? answerBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var cache = CacheFor(configuration);
        var lookup = await cache.GetAsync(query, forceRefresh, answerBy, cancellationToken).ConfigureAwait(false);
        return new ServedSecret(lookup, jsonKey is null ? null : JsonKey.Extract(lookup.Record, jsonKey));
    }

    /// <summary>
    /// Readiness: every configuration can obtain credentials now. Returns the problems, one per configuration
    /// that cannot (empty when ready). Credentials come from each configuration's cached chain, so this is cheap.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckReadinessAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var name in _configurations.Current.Keys.Order(StringComparer.Ordinal))
        {
            try
            {
                await RuntimeFor(name).Store.CheckCredentialsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SecretStoreException exception)
            {
                problems.Add(exception.Message);
            }
        }

        return problems;
    }

    /// <summary>Refreshes the values in use of every configuration before they expire (called periodically).</summary>
    public async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        foreach (var runtime in _runtimes.Values)
        {
            await runtime.Cache.RefreshDueAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private SecretCache CacheFor(string name) => RuntimeFor(name).Cache;

    private Runtime RuntimeFor(string name)
    {
        if (!_configurations.Current.TryGetValue(name, out var loaded))
        {
            var known = _configurations.Current.Keys.Order(StringComparer.Ordinal).ToList();
            throw new SecretStoreException(
                SecretFailureKind.InvalidRequest,
                known.Count == 0
                    ? $"Configuration '{name}' does not exist: no configurations are defined. Add one with `authservice config add`."
                    : $"Configuration '{name}' does not exist; defined: {string.Join(", ", known)}.");
        }

        if (_runtimes.TryGetValue(name, out var runtime) && runtime.Configuration == loaded.Configuration)
        {
            return runtime;
        }

        ISecretStore store;
        try
        {
            store = _stores.Create(loaded.Configuration);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not remembered: the operator may fix the profile or token, and the next call should see it.
            throw new SecretStoreException(
                SecretFailureKind.CredentialsUnavailable,
                $"Configuration '{name}' cannot obtain AWS credentials: {exception.Message}",
                exception);
        }

        var replaceable = new ReplaceableSecretStore(store);
        var cache = new SecretCache(replaceable, ConfigurationValidator.CacheOptions(loaded.Configuration.Cache), _time, _loggers.CreateLogger<SecretCache>());
        var created = new Runtime(loaded.Configuration, cache, replaceable);
        _runtimes[name] = created;
        return created;
    }

    private sealed record Runtime(AuthConfiguration Configuration, SecretCache Cache, ReplaceableSecretStore Store);

    /// <summary>The configuration's AWS store, swappable under its cache when the credentials files change.</summary>
    private sealed class ReplaceableSecretStore(ISecretStore initial) : ISecretStore
    {
        private ISecretStore _current = initial;

        private ISecretStore Current => Volatile.Read(ref _current);

        public void Replace(ISecretStore next) => Volatile.Write(ref _current, next);

        public Task<SecretRecord> GetSecretValueAsync(string secretId, string? versionId, string? versionStage, CancellationToken cancellationToken) =>
            Current.GetSecretValueAsync(secretId, versionId, versionStage, cancellationToken);

        public Task<SecretVersions> DescribeSecretAsync(string secretId, CancellationToken cancellationToken) =>
            Current.DescribeSecretAsync(secretId, cancellationToken);

        public Task CheckCredentialsAsync(CancellationToken cancellationToken) => Current.CheckCredentialsAsync(cancellationToken);
    }
}

/// <summary>
/// Keeps readiness current: the health status of authservice.v1.SecretsService is SERVING when every
/// configuration can obtain credentials, NOT_SERVING otherwise ("" stays SERVING: that is liveness).
/// </summary>
public sealed partial class ReadinessMonitor(SecretService secrets, Grpc.Health.HealthService health, TimeProvider time, ILogger<ReadinessMonitor> logger) : BackgroundService
{
    /// <summary>How often readiness is re-checked.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    public static string ReadinessService => SecretsGrpcService.Descriptor.FullName;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not ready until shown to be: a probe must never see SERVING before credentials were tried.
        health.SetStatus(ReadinessService, global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing);
        bool? wasReady = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var problems = await secrets.CheckReadinessAsync(stoppingToken).ConfigureAwait(false);
                var ready = problems.Count == 0;
                health.SetStatus(ReadinessService, ready
                    ? global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving
                    : global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.NotServing);
                if (ready != wasReady)
                {
                    foreach (var problem in problems)
                    {
                        NotReady(logger, problem);
                    }
                }

                wasReady = ready;
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception)
            {
                CheckFailed(logger, exception);
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Warning, Message = "Not ready: {Problem}")]
    private static partial void NotReady(ILogger logger, string problem);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "The readiness check failed unexpectedly")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}

/// <summary>Drives <see cref="SecretService.RefreshDueAsync"/> so values in steady use never expire.</summary>
public sealed partial class SecretRefresher(SecretService secrets, TimeProvider time, ILogger<SecretRefresher> logger) : BackgroundService
{
    /// <summary>How often due entries are looked for.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
                await secrets.RefreshDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception exception)
            {
                // One bad pass must not stop refreshing for good (a failed BackgroundService stops the host).
                RefreshPassFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Error, Message = "A background refresh pass failed; the next pass runs as scheduled")]
    private static partial void RefreshPassFailed(ILogger logger, Exception exception);
}

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

    public async Task<ServedSecret> GetAsync(string configuration, SecretQuery query, string? jsonKey, bool forceRefresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var cache = CacheFor(configuration);
        var lookup = await cache.GetAsync(query, forceRefresh, cancellationToken).ConfigureAwait(false);
        return new ServedSecret(lookup, jsonKey is null ? null : JsonKey.Extract(lookup.Record, jsonKey));
    }

    /// <summary>Refreshes the values in use of every configuration before they expire (called periodically).</summary>
    public async Task RefreshDueAsync(CancellationToken cancellationToken)
    {
        foreach (var runtime in _runtimes.Values)
        {
            await runtime.Cache.RefreshDueAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private SecretCache CacheFor(string name)
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
            return runtime.Cache;
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

        var cache = new SecretCache(store, ConfigurationValidator.CacheOptions(loaded.Configuration.Cache), _time, _loggers.CreateLogger<SecretCache>());
        _runtimes[name] = new Runtime(loaded.Configuration, cache);
        return cache;
    }

    private sealed record Runtime(AuthConfiguration Configuration, SecretCache Cache);
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

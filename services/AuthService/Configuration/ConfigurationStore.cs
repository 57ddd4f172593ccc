using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AuthService.Configuration;

/// <summary>Where configurations are read from (section "Configuration"; AUTHSERVICE_Configuration__*).</summary>
public sealed class ConfigurationStoreOptions
{
    public const string Section = "Configuration";

    /// <summary>The configurations file on the bind mount. Default /opt/alation/site/config/authserver/configurations.json.</summary>
    public string File { get; set; } = "/opt/alation/site/config/authserver/configurations.json";

    /// <summary>How often the file is checked for edits. Default 2 s.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>A configuration and where it came from.</summary>
public sealed record LoadedConfiguration(AuthConfiguration Configuration, string Source);

/// <summary>
/// The current configurations, read from the mounted file and re-read when it changes. A broken edit keeps
/// the last good set and says why; a missing file means no configurations (the service stays dormant).
/// </summary>
public sealed class ConfigurationStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly ConfigurationStoreOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private byte[]? _lastHash;
    private IReadOnlyDictionary<string, LoadedConfiguration> _current = new Dictionary<string, LoadedConfiguration>(StringComparer.Ordinal);

    public ConfigurationStore(ConfigurationStoreOptions options, ILogger<ConfigurationStore> logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>The configurations in force, by name.</summary>
    public IReadOnlyDictionary<string, LoadedConfiguration> Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Raised after a new set of configurations took effect.</summary>
    public event Action<IReadOnlyDictionary<string, LoadedConfiguration>>? Changed;

    /// <summary>
    /// Loads the file for the first time. Returns every problem found (empty when valid); the caller decides
    /// whether problems stop the start.
    /// </summary>
    public IReadOnlyList<string> Load() => ReloadIfChanged(force: true);

    /// <summary>Re-reads the file when its content changed. Returns the problems of the new content, if any.</summary>
    public IReadOnlyList<string> ReloadIfChanged(bool force = false)
    {
        byte[] content;
        try
        {
            content = System.IO.File.Exists(_options.File) ? System.IO.File.ReadAllBytes(_options.File) : [];
        }
        catch (IOException exception)
        {
            return Reject([$"{_options.File}: cannot be read ({exception.Message}); check the bind mount and permissions."]);
        }
        catch (UnauthorizedAccessException)
        {
            return Reject([$"{_options.File}: permission denied; the service user must be able to read it."]);
        }

        var hash = SHA256.HashData(content);
        lock (_gate)
        {
            if (!force && _lastHash is not null && hash.AsSpan().SequenceEqual(_lastHash))
            {
                return [];
            }

            _lastHash = hash;
        }

        var (configurations, errors) = Parse(content, _options.File);
        if (errors.Count > 0)
        {
            return Reject(errors);
        }

        var next = configurations.ToDictionary(c => c.Name, c => new LoadedConfiguration(c, _options.File), StringComparer.Ordinal);
        lock (_gate)
        {
            _current = next;
        }

        ConfigurationLog.Loaded(_logger, next.Count, _options.File);
        Changed?.Invoke(next);
        return [];
    }

    /// <summary>Parses and validates a configurations document; every problem is reported.</summary>
    public static (IReadOnlyList<AuthConfiguration> Configurations, IReadOnlyList<string> Errors) Parse(byte[] content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0)
        {
            return ([], []);
        }

        ConfigurationDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ConfigurationDocument>(content, Json);
        }
        catch (JsonException exception)
        {
            // JsonException messages name the path and line; they never quote values beyond the bad token.
            return ([], [$"{source}: not a valid configurations document: {exception.Message}"]);
        }

        var configurations = document?.Configurations ?? [];
        var errors = ConfigurationValidator.Validate(configurations).Select(e => $"{source}: {e}").ToList();
        return (configurations, errors);
    }

    private IReadOnlyList<string> Reject(IReadOnlyList<string> errors)
    {
        foreach (var error in errors)
        {
            ConfigurationLog.Rejected(_logger, error);
        }

        return errors;
    }
}

/// <summary>Configuration events, IDs 2000-2099.</summary>
internal static partial class ConfigurationLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Loaded {Count} configuration(s) from {Source}")]
    public static partial void Loaded(ILogger logger, int count, string source);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Configuration rejected; the previous configurations stay in force: {Problem}")]
    public static partial void Rejected(ILogger logger, string problem);
}

/// <summary>Polls the configurations file and the AWS files so edits on the bind mount take effect without a restart.</summary>
public sealed class ConfigurationWatcher(ConfigurationStore store, Credentials.ProfileStoreProvider profiles, ConfigurationStoreOptions options, TimeProvider time) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.ReloadInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            store.ReloadIfChanged();
            profiles.ReloadIfChanged();
        }
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using AuthService.Access;

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
    private AccessSettings? _accessSettings;
    private AccessPolicy _access = AccessPolicy.Open;

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

    /// <summary>The access rules in force, from the same file (replaced together with the configurations).</summary>
    public AccessPolicy Access => Volatile.Read(ref _access);

    /// <summary>The access section in force (its token list), or null when the file has none.</summary>
    public AccessSettings? AccessSettings
    {
        get
        {
            lock (_gate)
            {
                return _accessSettings;
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

        var (document, errors) = ParseDocument(content, _options.File);
        if (errors.Count > 0)
        {
            return Reject(errors);
        }

        var next = document.Configurations.ToDictionary(c => c.Name, c => new LoadedConfiguration(c, _options.File), StringComparer.Ordinal);
        lock (_gate)
        {
            _current = next;
            _accessSettings = document.Access;
            Volatile.Write(ref _access, AccessPolicy.From(document.Access));
        }

        if (document.Access is null)
        {
            ConfigurationLog.NoAccessPolicy(_logger, _options.File);
        }

        ConfigurationLog.Loaded(_logger, next.Count, _options.File);
        Changed?.Invoke(next);
        return [];
    }

    /// <summary>Parses and validates a configurations document; every problem is reported.</summary>
    public static (IReadOnlyList<AuthConfiguration> Configurations, IReadOnlyList<string> Errors) Parse(byte[] content, string source)
    {
        var (document, errors) = ParseDocument(content, source);
        return (document.Configurations, errors);
    }

    /// <summary>Parses and validates the whole document (configurations and access); every problem is reported.</summary>
    public static (ConfigurationDocument Document, IReadOnlyList<string> Errors) ParseDocument(byte[] content, string source)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0)
        {
            return (new ConfigurationDocument(), []);
        }

        ConfigurationDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<ConfigurationDocument>(content, Json);
        }
        catch (JsonException exception)
        {
            // JsonException messages name the path and line; they never quote values beyond the bad token.
            return (new ConfigurationDocument(), [$"{source}: not a valid configurations document: {exception.Message}"]);
        }

        document ??= new ConfigurationDocument();
        var errors = ConfigurationValidator.Validate(document.Configurations)
            .Concat(document.Access is null ? [] : AccessSettingsValidator.Validate(document.Access))
            .Select(e => $"{source}: {e}").ToList();
        return (document, errors);
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

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "{Source} has no \"access\" section: every caller that can reach an endpoint may read every secret. Add access rules (docs/security.md) to identify callers and allow each only its secrets")]
    public static partial void NoAccessPolicy(ILogger logger, string source);
}

/// <summary>Polls the configurations file, the AWS files and the access token files so edits on the bind mount take effect without a restart.</summary>
public sealed class ConfigurationWatcher(ConfigurationStore store, Credentials.ProfileStoreProvider profiles, AccessTokens tokens, ConfigurationStoreOptions options, TimeProvider time) : BackgroundService
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
            tokens.Refresh();
        }
    }
}

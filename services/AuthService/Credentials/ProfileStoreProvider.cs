using System.Security.Cryptography;
using AuthService.Aws.Profiles;

namespace AuthService.Credentials;

/// <summary>
/// The mounted AWS credentials and config files, re-read when they change. A broken edit is logged and the
/// last good profiles stay in force, so connectors keep being served while the operator fixes the file.
/// </summary>
public sealed partial class ProfileStoreProvider(ILogger<ProfileStoreProvider> logger)
{
    private readonly Lock _gate = new();
    private AwsProfileStore? _current;
    private byte[]? _hash;
    private AwsConfigFileException? _lastError;

    /// <summary>Raised after new profiles took effect.</summary>
    public event Action? Changed;

    private static AwsProfilePaths Paths => AwsProfilePaths.FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>The profiles in force; the first call loads them, and a broken file at that point throws (with every problem).</summary>
    public AwsProfileStore Current
    {
        get
        {
            lock (_gate)
            {
                if (_current is not null)
                {
                    return _current;
                }
            }

            ReloadIfChanged();
            lock (_gate)
            {
                return _current ?? throw _lastError!;
            }
        }
    }

    /// <summary>Re-reads the files when their content changed.</summary>
    public void ReloadIfChanged()
    {
        var paths = Paths;
        var hash = SHA256.HashData([.. Read(paths.ConfigFile), 0, .. Read(paths.CredentialsFile)]);
        lock (_gate)
        {
            if (_hash is not null && hash.AsSpan().SequenceEqual(_hash))
            {
                return;
            }
        }

        AwsProfileStore loaded;
        try
        {
            loaded = AwsProfileStore.Load(paths);
        }
        catch (AwsConfigFileException exception)
        {
            lock (_gate)
            {
                // Remember the broken content so it is reported once, not on every poll.
                _hash = hash;
                _lastError = exception;
            }

            CredentialsFileRejected(logger, exception.Message);
            return;
        }

        WarnIfLoose(paths.CredentialsFile);
        bool replaced;
        lock (_gate)
        {
            replaced = _current is not null;
            _current = loaded;
            _hash = hash;
            _lastError = null;
        }

        if (replaced)
        {
            CredentialsFileReloaded(logger, paths.CredentialsFile);
            Changed?.Invoke();
        }
    }

    /// <summary>
    /// The credentials file holds keys and PINs: one that other users may read, or group or others may write, is
    /// reported (with its mode, never its content) each time it is loaded, as ssh does for a private key.
    /// </summary>
    private void WarnIfLoose(string path)
    {
        const UnixFileMode Loose = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite;
        try
        {
            if (!OperatingSystem.IsWindows() && File.Exists(path) && (File.GetUnixFileMode(path) & Loose) != 0)
            {
                var mode = Convert.ToString((int)File.GetUnixFileMode(path), 8);
                CredentialsFileLoose(logger, path, mode);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The file was readable a moment ago; a race with an edit is not worth a second report.
        }
    }

    private static byte[] Read(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllBytes(path) : [];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "AWS credentials/config files changed ({CredentialsFile}); configurations rebuild their credentials on next use")]
    private static partial void CredentialsFileReloaded(ILogger logger, string credentialsFile);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "AWS credentials file {CredentialsFile} has mode {Mode}: other users can read it or others can write it, and it holds keys and PINs; run chmod 600 on it (owner: the service user)")]
    private static partial void CredentialsFileLoose(ILogger logger, string credentialsFile, string mode);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "AWS credentials/config files rejected; the last good profiles stay in force: {Problem}")]
    private static partial void CredentialsFileRejected(ILogger logger, string problem);
}

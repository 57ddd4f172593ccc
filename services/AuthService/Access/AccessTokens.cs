using System.Security.Cryptography;
using System.Text;

namespace AuthService.Access;

/// <summary>
/// The bearer tokens of access.tokens, read from their files (re-read when a file changes) and kept only as
/// SHA-256 digests. A presented token is compared with every digest in constant time, so neither the timing
/// nor an early exit tells a caller how close a guess was.
/// </summary>
public sealed partial class AccessTokens(ILogger<AccessTokens> logger)
{
    /// <summary>Shorter tokens are refused: they could be guessed.</summary>
    public const int MinimumLength = 32;

    private readonly Lock _gate = new();
    private IReadOnlyList<AccessTokenSettings> _settings = [];
    private Dictionary<string, (DateTime Written, byte[]? Digest)> _loaded = new(StringComparer.Ordinal);

    /// <summary>Takes the token list of a new configurations file and loads each file.</summary>
    public void Configure(IReadOnlyList<AccessTokenSettings> settings)
    {
        lock (_gate)
        {
            _settings = settings;
            _loaded = new(StringComparer.Ordinal);
        }

        Refresh();
    }

    /// <summary>Re-reads token files whose modification time changed (the configuration watcher calls this).</summary>
    public void Refresh()
    {
        IReadOnlyList<AccessTokenSettings> settings;
        lock (_gate)
        {
            settings = _settings;
        }

        foreach (var token in settings)
        {
            DateTime written;
            try
            {
                written = File.GetLastWriteTimeUtc(token.File);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                written = DateTime.MinValue;
            }

            lock (_gate)
            {
                if (_loaded.TryGetValue(token.Name, out var known) && known.Written == written)
                {
                    continue;
                }
            }

            var digest = Load(token);
            lock (_gate)
            {
                _loaded[token.Name] = (written, digest);
            }
        }
    }

    /// <summary>The name of the token equal to <paramref name="presented"/>, or null.</summary>
    public string? Find(ReadOnlySpan<char> presented)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        SHA256.HashData(bytes, digest);
        CryptographicOperations.ZeroMemory(bytes);
        string? match = null;
        lock (_gate)
        {
            foreach (var (name, (_, known)) in _loaded)
            {
                // Every digest is compared, match or not.
                if (known is not null && CryptographicOperations.FixedTimeEquals(known, digest) && match is null)
                {
                    match = name;
                }
            }
        }

        return match;
    }

    private byte[]? Load(AccessTokenSettings token)
    {
        try
        {
            var text = File.ReadAllText(token.File).Trim();
            if (text.Length < MinimumLength || text.Any(char.IsWhiteSpace))
            {
                TokenRejected(logger, token.Name, token.File, $"it must be one line of at least {MinimumLength} characters without spaces (e.g. openssl rand -hex 32 > {token.File})");
                return null;
            }

            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(token.File) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.GroupWrite)) != 0)
            {
                TokenFileLoose(logger, token.Name, token.File);
            }

            return SHA256.HashData(Encoding.UTF8.GetBytes(text));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            TokenRejected(logger, token.Name, token.File, $"it cannot be read ({exception.GetType().Name}); check the path and that the service user can read it");
            return null;
        }
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "Access token {Name} from {File} is not usable, so callers presenting it are refused: {Reason}")]
    private static partial void TokenRejected(ILogger logger, string name, string file, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Access token file {File} (token {Name}) can be read or written by other users; chmod 600 it")]
    private static partial void TokenFileLoose(ILogger logger, string name, string file);
}

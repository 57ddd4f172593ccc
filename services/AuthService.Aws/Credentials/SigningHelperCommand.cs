using System.Globalization;
using AuthService.Aws.RolesAnywhere;

namespace AuthService.Aws.Credentials;

/// <summary>
/// An <c>aws_signing_helper credential-process ...</c> command line, recognised in a <c>credential_process</c> value and
/// parsed into its flags, so the Roles Anywhere exchange can run in-process instead of in a child process.
/// </summary>
public sealed record SigningHelperCommand
{
    private static readonly HashSet<string> ValueFlags = new(StringComparer.Ordinal)
    {
        "certificate", "private-key", "trust-anchor-arn", "profile-arn", "role-arn", "session-duration", "region", "endpoint",
        "intermediates", "pkcs11-lib", "role-session-name", "pkcs8-password",
    };

    private static readonly HashSet<string> BoolFlags = new(StringComparer.Ordinal) { "reuse-pin", "no-verify-ssl", "with-proxy", "debug" };

    // Flags of the real helper that select key stores this service does not have.
    private static readonly HashSet<string> UnsupportedFlags = new(StringComparer.Ordinal)
    {
        "cert-selector", "system-store-name", "use-latest-expiring-certificate", "tpm-key-password", "no-tpm-key-password",
    };

    /// <summary><c>--certificate</c>: a PEM/DER/PKCS#12 file path, or a <c>pkcs11:</c> URI.</summary>
    public required string Certificate { get; init; }

    /// <summary><c>--private-key</c>: a PEM file path or a <c>pkcs11:</c> URI; null when the certificate source holds the key (PKCS#12, PKCS#11).</summary>
    public string? PrivateKey { get; init; }

    /// <summary><c>--trust-anchor-arn</c>.</summary>
    public required string TrustAnchorArn { get; init; }

    /// <summary><c>--profile-arn</c>.</summary>
    public required string ProfileArn { get; init; }

    /// <summary><c>--role-arn</c>.</summary>
    public required string RoleArn { get; init; }

    /// <summary><c>--session-duration</c> in seconds (default 3600).</summary>
    public int SessionDuration { get; init; } = 3600;

    /// <summary><c>--region</c>.</summary>
    public string? Region { get; init; }

    /// <summary><c>--endpoint</c>.</summary>
    public Uri? Endpoint { get; init; }

    /// <summary><c>--intermediates</c>: a PEM bundle of intermediate CA certificates.</summary>
    public string? Intermediates { get; init; }

    /// <summary><c>--pkcs11-lib</c>: the PKCS#11 module; without it the helper uses p11-kit's proxy.</summary>
    public string? Pkcs11Library { get; init; }

    /// <summary><c>--role-session-name</c>.</summary>
    public string? RoleSessionName { get; init; }

    /// <summary><c>--pkcs8-password</c> (a secret: redacted in ToString).</summary>
    public string? Pkcs8Password { get; init; }

    /// <summary><c>--reuse-pin</c>.</summary>
    public bool ReusePin { get; init; }

    /// <summary><c>--no-verify-ssl</c>.</summary>
    public bool NoVerifySsl { get; init; }

    /// <summary><c>--with-proxy</c>.</summary>
    public bool WithProxy { get; init; }

    /// <summary><c>--debug</c>.</summary>
    public bool Debug { get; init; }

    /// <summary>Whether the certificate is on a PKCS#11 token.</summary>
    public bool CertificateIsPkcs11 => IsPkcs11Uri(Certificate);

    /// <summary>Whether the private key is on a PKCS#11 token (a <c>pkcs11:</c> key, or none given with a <c>pkcs11:</c> certificate).</summary>
    public bool PrivateKeyIsPkcs11 => PrivateKey is null ? CertificateIsPkcs11 : IsPkcs11Uri(PrivateKey);

    /// <summary>Whether the words are an <c>aws_signing_helper credential-process</c> (or <c>authservice credential-process</c>) command.</summary>
    public static bool IsSigningHelper(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (words.Count < 2 || words[1] != "credential-process")
        {
            return false;
        }

        var program = Path.GetFileName(words[0]);
        return program is "aws_signing_helper" or "aws_signing_helper.exe" or "authservice";
    }

    /// <summary>Parses the words of an <c>aws_signing_helper credential-process</c> command.</summary>
    /// <exception cref="FormatException">Unknown, repeated, empty or missing flags; every problem is listed.</exception>
    public static SigningHelperCommand Parse(IReadOnlyList<string> words)
    {
        ArgumentNullException.ThrowIfNull(words);
        if (!IsSigningHelper(words))
        {
            throw new FormatException("Not an 'aws_signing_helper credential-process' command.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var problems = new List<string>();
        for (var i = 2; i < words.Count; i++)
        {
            var word = words[i];
            if (!word.StartsWith("--", StringComparison.Ordinal) || word.Length == 2)
            {
                problems.Add($"'{Safe(word)}' is not a flag: every argument of credential-process is a --flag (quote values that hold spaces).");
                continue;
            }

            var name = word[2..];
            string? inline = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                inline = name[(equals + 1)..];
                name = name[..equals];
            }

            if (BoolFlags.Contains(name))
            {
                if (inline is not null && !bool.TryParse(inline, out _))
                {
                    problems.Add($"--{name} takes no value (or =true/=false).");
                }

                if (inline is null || bool.Parse(inline))
                {
                    flags.Add(name);
                }

                continue;
            }

            if (UnsupportedFlags.Contains(name))
            {
                problems.Add($"--{name} selects an OS or TPM key store, which this service does not have: use --certificate and --private-key with files or pkcs11: URIs.");
                if (inline is null && i + 1 < words.Count && !words[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            if (!ValueFlags.Contains(name))
            {
                problems.Add($"--{name} is not a flag of 'aws_signing_helper credential-process': check the spelling.");
                continue;
            }

            var value = inline;
            if (value is null)
            {
                if (i + 1 >= words.Count)
                {
                    problems.Add($"--{name} needs a value.");
                    continue;
                }

                value = words[++i];
            }

            if (value.Trim().Length == 0)
            {
                // The real helper falls back to the OS certificate store on an empty value; an explicit error is kinder.
                problems.Add($"--{name} is empty: give it a value (an unset shell variable in the credentials file?).");
                continue;
            }

            if (!values.TryAdd(name, value))
            {
                problems.Add($"--{name} is given twice: keep one.");
            }
        }

        foreach (var required in new[] { "certificate", "trust-anchor-arn", "profile-arn", "role-arn" })
        {
            if (!values.ContainsKey(required) && !problems.Exists(p => p.StartsWith($"--{required} ", StringComparison.Ordinal)))
            {
                problems.Add($"--{required} is required.");
            }
        }

        var duration = 3600;
        if (values.TryGetValue("session-duration", out var durationText) &&
            (!int.TryParse(durationText, NumberStyles.None, CultureInfo.InvariantCulture, out duration) || duration is < 900 or > 43200))
        {
            problems.Add($"--session-duration '{Safe(durationText)}' must be a whole number of seconds in 900..43200.");
        }

        Uri? endpoint = null;
        if (values.TryGetValue("endpoint", out var endpointText))
        {
            // The helper accepts a bare host name as well as a URL.
            var candidate = endpointText.Contains("://", StringComparison.Ordinal) ? endpointText : "https://" + endpointText;
            if (!Uri.TryCreate(candidate, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            {
                problems.Add($"--endpoint '{Safe(endpointText)}' is not a host name or an http(s) URL.");
            }
        }

        if (problems.Count > 0)
        {
            throw new FormatException("aws_signing_helper credential-process: " + string.Join(" ", problems));
        }

        return new SigningHelperCommand
        {
            Certificate = values["certificate"],
            PrivateKey = values.GetValueOrDefault("private-key"),
            TrustAnchorArn = values["trust-anchor-arn"],
            ProfileArn = values["profile-arn"],
            RoleArn = values["role-arn"],
            SessionDuration = duration,
            Region = values.GetValueOrDefault("region"),
            Endpoint = endpoint,
            Intermediates = values.GetValueOrDefault("intermediates"),
            Pkcs11Library = values.GetValueOrDefault("pkcs11-lib"),
            RoleSessionName = values.GetValueOrDefault("role-session-name"),
            Pkcs8Password = values.GetValueOrDefault("pkcs8-password"),
            ReusePin = flags.Contains("reuse-pin"),
            NoVerifySsl = flags.Contains("no-verify-ssl"),
            WithProxy = flags.Contains("with-proxy"),
            Debug = flags.Contains("debug"),
        };
    }

    /// <summary>Parses a command line (with shell quoting) if it is a signing-helper command; null when it is another program.</summary>
    /// <exception cref="FormatException">It is a signing-helper command, but its flags are wrong.</exception>
    public static SigningHelperCommand? TryParseCommandLine(string commandLine)
    {
        var words = ShellWords.Split(commandLine);
        return IsSigningHelper(words) ? Parse(words) : null;
    }

    /// <summary>The CreateSession request these flags describe (the profile's endpoint_url is applied after the environment).</summary>
    public RolesAnywhereSessionRequest ToSessionRequest(IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> intermediates, string? profileEndpointUrl = null) => new()
    {
        TrustAnchorArn = TrustAnchorArn,
        ProfileArn = ProfileArn,
        RoleArn = RoleArn,
        DurationSeconds = SessionDuration,
        RoleSessionName = RoleSessionName,
        Region = Region,
        Endpoint = Endpoint,
        ProfileEndpointUrl = profileEndpointUrl,
        Intermediates = intermediates,
    };

    /// <summary>Describes the command with PINs and passwords redacted.</summary>
    public override string ToString() =>
        CommandLineRedactor.Redact(
            $"aws_signing_helper credential-process --certificate {Certificate}" + (PrivateKey is null ? "" : $" --private-key {PrivateKey}") +
            $" --trust-anchor-arn {TrustAnchorArn} --profile-arn {ProfileArn} --role-arn {RoleArn} --session-duration {SessionDuration}" +
            (Region is null ? "" : $" --region {Region}") + (Endpoint is null ? "" : $" --endpoint {Endpoint}") +
            (Intermediates is null ? "" : $" --intermediates {Intermediates}") + (Pkcs11Library is null ? "" : $" --pkcs11-lib {Pkcs11Library}") +
            (RoleSessionName is null ? "" : $" --role-session-name {RoleSessionName}") + (Pkcs8Password is null ? "" : " --pkcs8-password (redacted)"));

    private static bool IsPkcs11Uri(string value) => value.StartsWith("pkcs11:", StringComparison.OrdinalIgnoreCase);

    private static string Safe(string value) => CommandLineRedactor.Redact(value.Length > 40 ? value[..40] + "..." : value);
}

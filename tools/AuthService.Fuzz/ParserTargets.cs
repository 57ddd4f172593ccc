using System.Text;
using AuthService.Aws.Profiles;
using AuthService.Aws.Signing.X509;
using AuthService.Pkcs11.Uris;

namespace AuthService.Fuzz;

/// <summary>One thing to fuzz: its seeds, its dictionary, and a run that returns null (fine) or what went wrong.</summary>
internal interface IFuzzTarget
{
    string Name { get; }

    IReadOnlyList<byte[]> Seeds { get; }

    IReadOnlyList<byte[]> Dictionary { get; }

    /// <summary>Longest time one input may take before it counts as a hang.</summary>
    TimeSpan Deadline { get; }

    Task<string?> RunAsync(byte[] input);
}

/// <summary>Values planted in the seeds: a message that shows one of them has leaked a secret.</summary>
internal static class Canaries
{
    public const string SecretKey = "wJalrFUZZSECRETq7Kx0EXAMPLEKEY";
    public const string Pin = "FUZZPIN88413";

    /// <summary>
    /// Whether an error message quotes a planted secret as a secret: the whole "pin-value=PIN" attribute or the secret key.
    /// Names that mutation built out of a canary (a profile called "...pin-value=..."), which errors may quote, are
    /// removed first: a parser cannot know such a name was meant as a secret. The same goes for a key name built out
    /// of one ("continues 'credentwJalr...ial_process'", "'_access_wJalr...key_id = ...' comes before"). So are
    /// the stray words of a credential_process line, which SigningHelperCommand quotes on purpose (40 characters,
    /// PINs redacted).
    /// </summary>
    public static string? LeakInError(string message)
    {
        var unnamed = System.Text.RegularExpressions.Regex.Replace(message, "([Pp]rofiles? '[^']*')|(Profiles there: .*$)|(continues '[^']*')|('[^']* = \\.\\.\\.')|('[^']*' is not a flag)|(--\\S+ is not a flag)", "");
        return unnamed.Contains("pin-value=" + Pin, StringComparison.Ordinal) ? "a pin-value"
            : unnamed.Contains(SecretKey, StringComparison.Ordinal) ? "the secret access key"
            : null;
    }

    /// <summary>
    /// Whether a text form shows <paramref name="pin"/> as the pin-value attribute of a pkcs11: URI's query (where the
    /// parser read it from); the same characters elsewhere (inside another value, a label) are not the PIN shown as one.
    /// </summary>
    public static string? PinShown(string shown, string? pin)
    {
        if (string.IsNullOrEmpty(pin))
        {
            return null;
        }

        foreach (System.Text.RegularExpressions.Match uri in System.Text.RegularExpressions.Regex.Matches(shown, "pkcs11:[^\\s\"]*"))
        {
            var query = uri.Value.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? uri.Value[q..] : "";
            if (System.Text.RegularExpressions.Regex.IsMatch(query, "(^\\?|&)pin-value=" + System.Text.RegularExpressions.Regex.Escape(pin) + "(&|$)"))
            {
                return "the pin-value it parsed";
            }
        }

        return null;
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

/// <summary>
/// AWS shared credentials/config files: every input parses or gives an <see cref="AwsConfigFileException"/>, and
/// neither the error nor the resolved source (its ToString) shows a planted secret key or PIN.
/// </summary>
internal sealed class ProfilesTarget : IFuzzTarget
{
    private static readonly AwsProfilePaths Paths = new("/fuzz/config", "/fuzz/credentials");

    public string Name => "profiles";

    public TimeSpan Deadline => TimeSpan.FromSeconds(5);

    public IReadOnlyList<byte[]> Seeds { get; } = [.. new[]
    {
        $"[default]\naws_access_key_id = AKIAFUZZEXAMPLE00001\naws_secret_access_key = {Canaries.SecretKey}\n",
        $"[iam_roles_anywhere_profile]\ncredential_process = /usr/local/bin/aws_signing_helper credential-process --certificate \"pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value={Canaries.Pin}\" --private-key \"pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-value={Canaries.Pin}\" --pkcs11-lib /usr/lib/softhsm/libsofthsm2.so --trust-anchor-arn arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a --profile-arn arn:aws:rolesanywhere:us-east-1:123456789012:profile/b --role-arn arn:aws:iam::123456789012:role/r\n",
        $"[profile prod]\nrole_arn = arn:aws:iam::123456789012:role/Reader\nsource_profile = base\nexternal_id = x\n[base]\naws_access_key_id = AKIAFUZZEXAMPLE00002\naws_secret_access_key = {Canaries.SecretKey}\naws_session_token = {Canaries.SecretKey}\n",
        "[profile svc]\nservices = local\nregion = us-east-1\ncredential_source = Environment\n[services local]\nsecretsmanager =\n  endpoint_url = http://127.0.0.1:4599\n",
        $"[p] credential_process = /bin/echo '{{\"Version\": 1}}' ; # {Canaries.Pin}\n\t continued\n[p]\naws_access_key_id=AKIAFUZZEXAMPLE00003\r\naws_secret_access_key={Canaries.SecretKey}\r\n",
    }.Select(Canaries.Utf8)];

    public IReadOnlyList<byte[]> Dictionary { get; } = [.. new[]
    {
        "[", "]", "[profile ", "[services ", "=", " = ", "\n", "\r\n", "\n  ", "#", ";", "\"", "'", "\\", "%01", "?pin-value=",
        "credential_process", "aws_signing_helper credential-process", "--certificate", "--private-key", "pkcs11:", "role_arn",
        "source_profile", "credential_source", "aws_secret_access_key", "aws_session_token", "services", "endpoint_url", "\u0000", "\u00e9",
    }.Select(Canaries.Utf8)];

    public Task<string?> RunAsync(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        try
        {
            var sections = AwsConfigFile.Parse(text, "fuzz");
            var store = AwsProfileStore.FromSections(sections, sections, Paths);
            foreach (var name in store.ProfileNames)
            {
                try
                {
                    var source = ProfileCredentialSources.Resolve(store, name);
                    if (LeakOf(source) is { } leaked)
                    {
                        return Task.FromResult<string?>($"the resolved source's ToString shows {leaked}: {source}");
                    }
                }
                catch (AwsConfigFileException e)
                {
                    if (Canaries.LeakInError(e.Message) is { } leaked)
                    {
                        return Task.FromResult<string?>($"resolving profile '{name}' failed with a message showing {leaked}: {e.Message}");
                    }
                }
            }
        }
        catch (AwsConfigFileException e)
        {
            if (Canaries.LeakInError(e.Message) is { } leaked)
            {
                return Task.FromResult<string?>($"the parse error shows {leaked}: {e.Message}");
            }
        }
        catch (Exception e)
        {
            return Task.FromResult<string?>($"unexpected {e.GetType().Name} (only AwsConfigFileException is a clear error): {e}");
        }

        return Task.FromResult<string?>(null);
    }

    /// <summary>What a resolved source's ToString shows that it must not: an unredacted key, or a PIN it parsed.</summary>
    private static string? LeakOf(ProfileCredentialSource source) => source switch
    {
        StaticKeysSource keys when !source.ToString().Contains("SecretAccessKey = (redacted)", StringComparison.Ordinal) => $"the secret access key of {keys.ProfileName}",
        SigningHelperSource helper => Canaries.PinShown(source.ToString(), PinOf(helper.Command.Certificate)) ?? Canaries.PinShown(source.ToString(), PinOf(helper.Command.PrivateKey)),
        _ => null,
    };

    private static string? PinOf(string? uri) => uri is not null && Pkcs11Uri.TryParse(uri, out var parsed) ? parsed?.PinValue : null;
}

/// <summary>RFC 7512 URIs: every input parses or gives a <see cref="Pkcs11UriFormatException"/>; no form shows a pin-value.</summary>
internal sealed class Pkcs11UriTarget : IFuzzTarget
{
    public string Name => "pkcs11-uri";

    public TimeSpan Deadline => TimeSpan.FromSeconds(5);

    public IReadOnlyList<byte[]> Seeds { get; } = [.. new[]
    {
        $"pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value={Canaries.Pin}",
        "pkcs11:token=roles-anywhere;object=ra-key;type=private;id=%01%02?pin-source=file:/run/secrets/pin&module-path=/usr/lib/softhsm/libsofthsm2.so",
        "pkcs11:model=SoftHSM%20v2;manufacturer=SoftHSM%20project;serial=abcdef0123456789;slot-id=42;library-description=x;x-vendor=y",
        $"pkcs11:?module-name=softhsm2&pin-value={Canaries.Pin}&x-attr=%00",
        "pkcs11:",
    }.Select(Canaries.Utf8)];

    public IReadOnlyList<byte[]> Dictionary { get; } = [.. new[]
    {
        "pkcs11:", ";", "?", "&", "=", "%", "%0", "%zz", "%00", "%FF", "id=", "object=", "token=", "type=cert", "slot-id=", "serial=",
        "pin-value=", "pin-source=", "module-path=", "module-name=", "/", " ", "\u00e9", "99999999999999999999",
    }.Select(Canaries.Utf8)];

    public Task<string?> RunAsync(byte[] input)
    {
        var text = Encoding.UTF8.GetString(input);
        try
        {
            var uri = Pkcs11Uri.Parse(text);
            var shown = uri.ToString() + "\n" + uri.Format(includePinValue: false);
            return Task.FromResult(Canaries.PinShown(shown, uri.PinValue) is { } leaked ? $"a parsed URI's text form shows {leaked}: {shown}" : null);
        }
        catch (Pkcs11UriFormatException e)
        {
            return Task.FromResult(Canaries.LeakInError(e.Message) is { } leaked ? $"the parse error shows {leaked}: {e.Message}" : null);
        }
        catch (Exception e)
        {
            return Task.FromResult<string?>($"unexpected {e.GetType().Name} (only Pkcs11UriFormatException is a clear error): {e}");
        }
    }
}

/// <summary>
/// Certificate and key files as the file-based SigV4-X509 signer loads them (PEM bundles, DER, PKCS#1, SEC1,
/// PKCS#8, encrypted PKCS#8): every input loads or gives an <see cref="X509KeyFileException"/> that does not
/// quote the key material.
/// </summary>
internal sealed class PemTarget : IFuzzTarget
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"authservice-fuzz-{Environment.ProcessId}.pem");

    public PemTarget()
    {
        var corpus = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
        Seeds = [.. Directory.EnumerateFiles(corpus).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];
    }

    public string Name => "pem";

    public TimeSpan Deadline => TimeSpan.FromSeconds(10);

    public IReadOnlyList<byte[]> Seeds { get; }

    public IReadOnlyList<byte[]> Dictionary { get; } =
    [
        .. new[]
        {
            "-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n", "-----BEGIN PRIVATE KEY-----\n", "-----END PRIVATE KEY-----\n",
            "-----BEGIN EC PRIVATE KEY-----\n", "-----BEGIN RSA PRIVATE KEY-----\n", "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", "-----BEGIN ",
            "-----", "\n", "=", "==", "A", "/", "+",
        }.Select(Canaries.Utf8),
        [0x30, 0x82, 0xFF, 0xFF], [0x30, 0x80], [0x02, 0x01, 0x00], [0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01], [0x04, 0x00], [0xA0, 0x03],
    ];

    public Task<string?> RunAsync(byte[] input)
    {
        File.WriteAllBytes(_file, input);
        var material = Encoding.Latin1.GetString(input).Split('\n').Select(l => l.Trim()).Where(l => l.Length >= 40 && !l.StartsWith("-----", StringComparison.Ordinal)).ToList();
        foreach (var load in new Func<IDisposable?>[]
        {
            () => { var all = X509KeyFiles.LoadCertificates(_file); foreach (var c in all) { c.Dispose(); } return null; },
            () => X509KeyFiles.LoadPrivateKey(_file, "fuzz"),
            () => X509KeyFiles.LoadSigner(_file, _file, "fuzz"),
        })
        {
            try
            {
                load()?.Dispose();
            }
            catch (X509KeyFileException e)
            {
                if (material.FirstOrDefault(m => e.Message.Contains(m, StringComparison.Ordinal)) is { } quoted)
                {
                    return Task.FromResult<string?>($"the error quotes the file's content ({quoted[..20]}...): {e.Message}");
                }
            }
            catch (Exception e)
            {
                return Task.FromResult<string?>($"unexpected {e.GetType().Name} (only X509KeyFileException is a clear error): {e}");
            }
        }

        return Task.FromResult<string?>(null);
    }
}

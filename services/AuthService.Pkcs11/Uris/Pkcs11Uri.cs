using System.Buffers;
using System.Globalization;
using System.Text;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Uris;

/// <summary>
/// A PKCS#11 URI as defined by RFC 7512: path attributes select the module, slot, token and object; query
/// attributes carry the PIN source and the module. Parsing is strict (RFC 7512 §2.3 grammar, no duplicate
/// attributes, no unencoded space, '/', '?' or '#' in the path, pin-value and pin-source not both), and every
/// error names the attribute. <see cref="ToString"/> never includes pin-value.
/// </summary>
/// <remarks>
/// <c>System.Uri</c> is deliberately not used: it treats '#' as a fragment and applies its own unescaping.
/// The <c>id</c> attribute is binary: literal characters are the bytes themselves, so <c>id=0a0b</c> is the four
/// bytes 30 61 30 62, while the ID written by <c>--id 0a0b</c> of softhsm2-util/pkcs11-tool is <c>id=%0A%0B</c>.
/// </remarks>
public sealed class Pkcs11Uri
{
    /// <summary>The URI scheme, compared case-insensitively on input.</summary>
    public const string Scheme = "pkcs11:";

    private static readonly string[] PathNames =
    [
        "token", "manufacturer", "serial", "model", "library-manufacturer", "library-description", "library-version",
        "object", "type", "id", "slot-description", "slot-manufacturer", "slot-id",
    ];

    private static readonly string[] QueryNames = ["pin-source", "pin-value", "module-name", "module-path"];

    private static readonly SearchValues<char> Digits = SearchValues.Create("0123456789");
    private static readonly SearchValues<char> VendorNameChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    private byte[]? _id;
    private List<KeyValuePair<string, string>> _vendorPath = [];
    private List<KeyValuePair<string, string>> _vendorQuery = [];
    private List<string> _unknownPath = [];

    /// <summary>CK_TOKEN_INFO.label (<c>token</c>).</summary>
    public string? Token { get; init; }

    /// <summary>CK_TOKEN_INFO.manufacturerID (<c>manufacturer</c>).</summary>
    public string? Manufacturer { get; init; }

    /// <summary>CK_TOKEN_INFO.serialNumber (<c>serial</c>).</summary>
    public string? Serial { get; init; }

    /// <summary>CK_TOKEN_INFO.model (<c>model</c>).</summary>
    public string? Model { get; init; }

    /// <summary>CK_INFO.manufacturerID (<c>library-manufacturer</c>).</summary>
    public string? LibraryManufacturer { get; init; }

    /// <summary>CK_INFO.libraryDescription (<c>library-description</c>).</summary>
    public string? LibraryDescription { get; init; }

    /// <summary>CK_INFO.libraryVersion (<c>library-version</c>); "3" means 3.0.</summary>
    public Version? LibraryVersion { get; init; }

    /// <summary>CKA_LABEL of the object (<c>object</c>).</summary>
    public string? ObjectLabel { get; init; }

    /// <summary>CKA_CLASS of the object (<c>type</c>).</summary>
    public Pkcs11ObjectClass? Type { get; init; }

    /// <summary>CKA_ID of the object (<c>id</c>), binary. A copy is returned.</summary>
    public byte[]? Id
    {
        get => _id?.ToArray();
        init => _id = value?.ToArray();
    }

    /// <summary>CK_SLOT_INFO.slotDescription (<c>slot-description</c>).</summary>
    public string? SlotDescription { get; init; }

    /// <summary>CK_SLOT_INFO.manufacturerID (<c>slot-manufacturer</c>).</summary>
    public string? SlotManufacturer { get; init; }

    /// <summary>The slot ID (<c>slot-id</c>, decimal). Unstable across C_Initialize: use with token or serial.</summary>
    public ulong? SlotId { get; init; }

    /// <summary>Where to read the user PIN (<c>pin-source</c>): <c>file:/path</c>, <c>file:///path</c> or an absolute path.</summary>
    public string? PinSource { get; init; }

    /// <summary>The user PIN itself (<c>pin-value</c>). Secret: never logged, never in <see cref="ToString"/>.</summary>
    public string? PinValue { get; init; }

    /// <summary>The module name without path, prefix or suffix (<c>module-name</c>, e.g. softhsm2).</summary>
    public string? ModuleName { get; init; }

    /// <summary>The module file, or a directory to search for <see cref="ModuleName"/> (<c>module-path</c>).</summary>
    public string? ModulePath { get; init; }

    /// <summary>Vendor path attributes (<c>x-...</c>). This layer does not understand any, so they match nothing.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> VendorPathAttributes
    {
        get => _vendorPath;
        init => _vendorPath = [.. value];
    }

    /// <summary>Vendor query attributes (<c>x-...</c>); they may repeat.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> VendorQueryAttributes
    {
        get => _vendorQuery;
        init => _vendorQuery = [.. value];
    }

    /// <summary>Path attributes that are not in RFC 7512 (names are case-sensitive: <c>Type</c> is unknown).</summary>
    public IReadOnlyList<string> UnknownPathAttributes => _unknownPath;

    /// <summary>True when the URI has a path attribute this layer does not understand; RFC 7512 §2.4 says such a URI matches nothing.</summary>
    public bool MatchesNothing => _unknownPath.Count > 0 || _vendorPath.Count > 0;

    /// <summary>Parses a URI, throwing <see cref="Pkcs11UriFormatException"/> that names the bad attribute.</summary>
    /// <param name="text">The URI text, e.g. <c>pkcs11:token=roles-anywhere;object=ra-key;id=%01</c>.</param>
    public static Pkcs11Uri Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new Pkcs11UriFormatException(null, "it must start with 'pkcs11:'");
        }

        string rest = text[Scheme.Length..];
        int question = rest.IndexOf('?', StringComparison.Ordinal);
        string path = question < 0 ? rest : rest[..question];
        string? query = question < 0 ? null : rest[(question + 1)..];

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var vendorPath = new List<KeyValuePair<string, string>>();
        var vendorQuery = new List<KeyValuePair<string, string>>();
        var unknownPath = new List<string>();

        if (path.Length > 0)
        {
            foreach (string item in path.Split(';'))
            {
                (string name, string value) = SplitAttribute(item, "path", ';');
                CheckNoFragment(name, value);
                if (name.StartsWith("x-", StringComparison.Ordinal))
                {
                    CheckVendorName(name);
                    if (vendorPath.Exists(a => a.Key == name))
                    {
                        throw new Pkcs11UriFormatException(name, "a path attribute may appear only once");
                    }

                    vendorPath.Add(new(name, PercentEncoding.DecodeText(value, name, query: false)));
                }
                else if (Array.IndexOf(PathNames, name) >= 0)
                {
                    if (!values.TryAdd(name, value))
                    {
                        throw new Pkcs11UriFormatException(name, "a path attribute may appear only once");
                    }
                }
                else
                {
                    // RFC 7512 §2.4: unknown path attributes make the URI match nothing (p11-kit does the same).
                    // Query attributes written in the path (";pin-value=") land here too.
                    _ = PercentEncoding.Decode(value, name, query: false);
                    if (unknownPath.Contains(name))
                    {
                        throw new Pkcs11UriFormatException(name, "a path attribute may appear only once");
                    }

                    unknownPath.Add(name);
                }
            }
        }

        if (!string.IsNullOrEmpty(query))
        {
            foreach (string item in query.Split('&'))
            {
                (string name, string value) = SplitAttribute(item, "query", '&');
                CheckNoFragment(name, value);
                if (name.StartsWith("x-", StringComparison.Ordinal))
                {
                    CheckVendorName(name);
                    vendorQuery.Add(new(name, PercentEncoding.DecodeText(value, name, query: true)));
                }
                else if (Array.IndexOf(QueryNames, name) >= 0)
                {
                    if (!values.TryAdd(name, value))
                    {
                        throw new Pkcs11UriFormatException(name, "a query attribute may appear only once");
                    }
                }
                else
                {
                    string hint = Array.IndexOf(PathNames, name) >= 0 ? " (it is a path attribute: put it before the '?')" : "";
                    throw new Pkcs11UriFormatException(name, $"unknown query attribute{hint}; valid ones are {string.Join(", ", QueryNames)} and x-*");
                }
            }
        }

        if (values.ContainsKey("pin-value") && values.ContainsKey("pin-source"))
        {
            throw new Pkcs11UriFormatException("pin-value", "pin-value and pin-source must not both be present (RFC 7512 §2.3)");
        }

        var uri = new Pkcs11Uri
        {
            Token = Text(values, "token", false),
            Manufacturer = Text(values, "manufacturer", false),
            Serial = Text(values, "serial", false),
            Model = Text(values, "model", false),
            LibraryManufacturer = Text(values, "library-manufacturer", false),
            LibraryDescription = Text(values, "library-description", false),
            LibraryVersion = values.TryGetValue("library-version", out string? lv) ? ParseVersion(lv) : null,
            ObjectLabel = Text(values, "object", false),
            Type = values.TryGetValue("type", out string? t) ? ParseType(t) : null,
            Id = values.TryGetValue("id", out string? id) ? PercentEncoding.Decode(id, "id", query: false) : null,
            SlotDescription = Text(values, "slot-description", false),
            SlotManufacturer = Text(values, "slot-manufacturer", false),
            SlotId = values.TryGetValue("slot-id", out string? sid) ? ParseSlotId(sid) : null,
            PinSource = Text(values, "pin-source", true),
            PinValue = values.TryGetValue("pin-value", out string? pv) ? DecodePin(pv) : null,
            ModuleName = Text(values, "module-name", true),
            ModulePath = Text(values, "module-path", true),
        };
        uri._vendorPath = vendorPath;
        uri._vendorQuery = vendorQuery;
        uri._unknownPath = unknownPath;
        return uri;
    }

    /// <summary>Parses without throwing.</summary>
    public static bool TryParse(string text, out Pkcs11Uri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (Pkcs11UriFormatException)
        {
            uri = null;
            return false;
        }
    }

    /// <summary>The URI with pin-value left out, safe for logs and error messages.</summary>
    public override string ToString() => Format(includePinValue: false);

    /// <summary>
    /// Formats the URI. Everything outside the unreserved set is percent-encoded in the path, every byte of
    /// <c>id</c> is encoded, and pin-value is only written when asked for (e.g. to write a credentials file).
    /// </summary>
    /// <param name="includePinValue">Whether to write pin-value. Never pass true for text that may be logged.</param>
    public string Format(bool includePinValue)
    {
        var path = new List<string>();
        void P(string name, string? value)
        {
            if (value is not null)
            {
                path.Add(name + "=" + PercentEncoding.EncodeText(value, query: false));
            }
        }

        P("token", Token);
        P("manufacturer", Manufacturer);
        P("serial", Serial);
        P("model", Model);
        P("library-manufacturer", LibraryManufacturer);
        P("library-description", LibraryDescription);
        if (LibraryVersion is not null)
        {
            path.Add(string.Create(CultureInfo.InvariantCulture, $"library-version={LibraryVersion.Major}.{LibraryVersion.Minor}"));
        }

        P("slot-description", SlotDescription);
        P("slot-manufacturer", SlotManufacturer);
        if (SlotId is not null)
        {
            path.Add(string.Create(CultureInfo.InvariantCulture, $"slot-id={SlotId.Value}"));
        }

        P("object", ObjectLabel);
        if (Type is not null)
        {
            path.Add("type=" + TypeName(Type.Value));
        }

        if (_id is not null)
        {
            path.Add("id=" + PercentEncoding.EncodeEveryByte(_id));
        }

        foreach (KeyValuePair<string, string> a in _vendorPath)
        {
            P(a.Key, a.Value);
        }

        var query = new List<string>();
        void Q(string name, string? value)
        {
            if (value is not null)
            {
                query.Add(name + "=" + PercentEncoding.EncodeText(value, query: true));
            }
        }

        Q("pin-source", PinSource);
        if (includePinValue)
        {
            Q("pin-value", PinValue);
        }

        Q("module-name", ModuleName);
        Q("module-path", ModulePath);
        foreach (KeyValuePair<string, string> a in _vendorQuery)
        {
            Q(a.Key, a.Value);
        }

        var sb = new StringBuilder(Scheme).Append(string.Join(';', path));
        if (query.Count > 0)
        {
            sb.Append('?').Append(string.Join('&', query));
        }

        return sb.ToString();
    }

    /// <summary>
    /// Returns the user PIN from pin-value, or reads it from the pin-source file (one trailing newline removed);
    /// null when the URI carries neither. Command sources ("|program") are refused: running programs named in a
    /// configuration value is not something this service does.
    /// </summary>
    public string? ReadPin()
    {
        if (PinValue is not null)
        {
            return PinValue;
        }

        if (PinSource is null)
        {
            return null;
        }

        string path = PinSourcePath(PinSource);
        string content;
        try
        {
            content = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Pkcs11UriFormatException("pin-source", $"cannot read the PIN file '{path}': {e.GetType().Name}. Check that it exists and is readable by the service user");
        }

        if (content.EndsWith("\r\n", StringComparison.Ordinal))
        {
            content = content[..^2];
        }
        else if (content.EndsWith('\n'))
        {
            content = content[..^1];
        }

        if (content.Length == 0)
        {
            throw new Pkcs11UriFormatException("pin-source", $"the PIN file '{path}' is empty");
        }

        return content;
    }

    /// <summary>True when every token attribute of the URI matches (absent attributes are wildcards).</summary>
    public bool MatchesToken(Pkcs11TokenInfo token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return !MatchesNothing
            && Same(Token, token.Label) && Same(Manufacturer, token.Manufacturer)
            && Same(Serial, token.SerialNumber) && Same(Model, token.Model);
    }

    /// <summary>True when every slot attribute of the URI matches.</summary>
    public bool MatchesSlot(Pkcs11SlotInfo slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        return !MatchesNothing
            && (SlotId is null || SlotId == slot.SlotId)
            && Same(SlotDescription, slot.Description) && Same(SlotManufacturer, slot.Manufacturer);
    }

    /// <summary>True when every library attribute of the URI matches.</summary>
    public bool MatchesModule(Pkcs11ModuleInfo module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return !MatchesNothing
            && Same(LibraryManufacturer, module.Manufacturer) && Same(LibraryDescription, module.Description)
            && (LibraryVersion is null || LibraryVersion == module.LibraryVersion);
    }

    // Values are compared exactly against the blank-trimmed field (RFC 7512 §2.5); an empty value matches a blank field.
    private static bool Same(string? wanted, string actual) => wanted is null || string.Equals(wanted, actual, StringComparison.Ordinal);

    internal static string PinSourcePath(string source)
    {
        if (source.StartsWith('|'))
        {
            throw new Pkcs11UriFormatException("pin-source", "running a program to obtain the PIN ('|program') is not supported; use a file (pin-source=file:/path)");
        }

        string path = source;
        if (source.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            path = source[5..];
            if (path.StartsWith("//", StringComparison.Ordinal))
            {
                // file://host/path: only an empty host or localhost is local.
                int slash = path.IndexOf('/', 2);
                string host = slash < 0 ? path[2..] : path[2..slash];
                if (host.Length > 0 && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                {
                    throw new Pkcs11UriFormatException("pin-source", $"the file URI names the remote host '{host}'; only local files are supported");
                }

                path = slash < 0 ? "" : path[slash..];
            }
        }

        if (!Path.IsPathRooted(path))
        {
            throw new Pkcs11UriFormatException("pin-source", "the PIN file must be an absolute path (file:/path or file:///path)");
        }

        return path;
    }

    private static (string Name, string Value) SplitAttribute(string item, string component, char separator)
    {
        if (item.Length == 0)
        {
            throw new Pkcs11UriFormatException(null, $"empty attribute in the {component} (a doubled or trailing '{separator}')");
        }

        int eq = item.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            // Only the name-like head is quoted: "pin-value:1234" (a typo) must not put the PIN in an error (found by fuzzing).
            string name = eq == 0 ? "" : string.Concat(item.TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
            throw new Pkcs11UriFormatException(name.Length > 40 ? name[..40] : name, "expected name=value");
        }

        return (item[..eq], item[(eq + 1)..]);
    }

    private static void CheckNoFragment(string name, string value)
    {
        if (value.Contains('#', StringComparison.Ordinal) || name.Contains('#', StringComparison.Ordinal))
        {
            throw new Pkcs11UriFormatException(name, "'#' must be percent-encoded as %23 (it would start a fragment)");
        }
    }

    private static void CheckVendorName(string name)
    {
        if (name.Length == 2 || name.AsSpan(2).IndexOfAnyExcept(VendorNameChars) >= 0)
        {
            throw new Pkcs11UriFormatException(name, "a vendor attribute name is 'x-' followed by letters, digits, '-' or '_'");
        }
    }

    private static string? Text(Dictionary<string, string> values, string name, bool query)
        => values.TryGetValue(name, out string? v) ? PercentEncoding.DecodeText(v, name, query) : null;

    private static string DecodePin(string value)
    {
        try
        {
            return PercentEncoding.DecodeText(value, "pin-value", query: true);
        }
        catch (Pkcs11UriFormatException)
        {
            // The detailed message would quote characters of the PIN.
            throw new Pkcs11UriFormatException("pin-value", "the value is not correctly percent-encoded ('&', '#', '%', space and non-ASCII characters must be written as %XX)");
        }
    }

    private static Version ParseVersion(string value)
    {
        string[] parts = value.Split('.');
        if (parts.Length is < 1 or > 2 || Array.Exists(parts, p => p.Length == 0 || p.AsSpan().IndexOfAnyExcept(Digits) >= 0 || p.Length > 3))
        {
            throw new Pkcs11UriFormatException("library-version", "expected major[.minor] in decimal digits, e.g. 2.6");
        }

        return new Version(int.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 0);
    }

    private static ulong ParseSlotId(string value)
    {
        if (value.Length == 0 || value.AsSpan().IndexOfAnyExcept(Digits) >= 0
            || !ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong id))
        {
            throw new Pkcs11UriFormatException("slot-id", "expected a decimal number (hex such as 0x10 is not allowed)");
        }

        return id;
    }

    private static Pkcs11ObjectClass ParseType(string value) => value switch
    {
        "public" => Pkcs11ObjectClass.PublicKey,
        "private" => Pkcs11ObjectClass.PrivateKey,
        "cert" => Pkcs11ObjectClass.Certificate,
        "secret-key" => Pkcs11ObjectClass.SecretKey,
        "data" => Pkcs11ObjectClass.Data,
        _ => throw new Pkcs11UriFormatException("type", "expected one of public, private, cert, secret-key, data (lowercase)"),
    };

    private static string TypeName(Pkcs11ObjectClass type) => type switch
    {
        Pkcs11ObjectClass.PublicKey => "public",
        Pkcs11ObjectClass.PrivateKey => "private",
        Pkcs11ObjectClass.Certificate => "cert",
        Pkcs11ObjectClass.SecretKey => "secret-key",
        Pkcs11ObjectClass.Data => "data",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}

using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>
/// `authservice token ...`: provision, inspect and rotate the PKCS#11 token from inside the container
/// (docker exec -it auth authservice token ...), replacing the softhsm2-util / pkcs11-tool steps of the reference
/// procedure. PINs come from a file, stdin or a prompt, never from argv.
/// </summary>
internal static class TokenCommands
{
    public static Command Build()
    {
        var command = new Command("token", "Provision, inspect and rotate the PKCS#11 token (SoftHSM2 by default). Exit codes: 0 ok, 1 failed, 2 usage/input error.");
        command.Subcommands.Add(Init());
        command.Subcommands.Add(KeyCommands.ImportKey());
        command.Subcommands.Add(KeyCommands.ImportCertificate());
        command.Subcommands.Add(KeyCommands.GenerateKey());
        command.Subcommands.Add(KeyCommands.Csr());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Delete());
        command.Subcommands.Add(KeyCommands.TestSign());
        command.Subcommands.Add(RotationCommands.RotateCertificate());
        command.Subcommands.Add(RotationCommands.RotateKey());
        return command;
    }

    private static Command Init()
    {
        var module = new Option<string>("--module") { Description = $"PKCS#11 module (default {TokenAccess.DefaultModule})", DefaultValueFactory = _ => TokenAccess.DefaultModule };
        var label = new Option<string?>("--label") { Description = "the new token's label, e.g. roles-anywhere" };
        var soPinFile = new Option<string?>("--so-pin-file") { Description = "read the Security Officer PIN from the first line of this file" };
        var pinFile = new Option<string?>("--pin-file") { Description = "read the User PIN from the first line of this file" };
        var pinsStdin = new Option<bool>("--pins-stdin") { Description = "stdin line 1 is the SO PIN, line 2 the User PIN" };
        var command = new Command("init", "Initialize a token in a free slot (C_InitToken) and set its User PIN (C_InitPIN); prints slot and serial.")
        {
            module, label, soPinFile, pinFile, pinsStdin,
        };
        OperatorAction.Attach(command, parse =>
        {
            string name = parse.GetValue(label) is { Length: > 0 } l ? l : throw OperatorException.Usage("--label LABEL is required (e.g. --label roles-anywhere).");
            var input = new OperatorInput();
            string NoSource(string which) => throw OperatorException.Usage($"no {which}: use --so-pin-file FILE and --pin-file FILE, or --pins-stdin (line 1 SO PIN, line 2 User PIN), or run with a terminal (docker exec -it) to be prompted.");
            string soPin = parse.GetValue(soPinFile) is { } sf ? SecretInput.FromFile(sf, "SO PIN")
                : parse.GetValue(pinsStdin) ? SecretInput.FromStdin(input, "SO PIN (line 1)")
                : SecretInput.Prompt("Security Officer PIN: ", confirm: true) ?? NoSource("SO PIN");
            string userPin = parse.GetValue(pinFile) is { } uf ? SecretInput.FromFile(uf, "User PIN")
                : parse.GetValue(pinsStdin) ? SecretInput.FromStdin(input, "User PIN (line 2)")
                : SecretInput.Prompt("User PIN: ", confirm: true) ?? NoSource("User PIN");

            EnsureSoftHsmTokenDirectory(parse.GetValue(module)!);
            Pkcs11Module m = TokenAccess.LoadModule(parse.GetValue(module)!);
            var selector = new Pkcs11Uri { Token = name };
            if (m.FindTokens(selector) is { Count: > 0 } existing)
            {
                // Two tokens with one label make every token=LABEL URI ambiguous.
                throw new OperatorException($"a token labelled '{name}' already exists (serial {existing[0].Token!.SerialNumber}, slot {existing[0].SlotId.ToString(CultureInfo.InvariantCulture)}). Fix: choose another --label, or keep using the existing token ('authservice token list --token {name}').");
            }

            Pkcs11TokenInfo info = m.InitializeToken(name, soPin, userPin);
            IReadOnlyList<Pkcs11SlotInfo> slots = m.FindTokens(new Pkcs11Uri { Token = name, Serial = info.SerialNumber });
            Pkcs11SlotInfo? slot = slots.Count > 0 ? slots[0] : null;
            Console.WriteLine($"Initialized token '{info.Label}'");
            Console.WriteLine($"  slot:   {slot?.SlotId.ToString(CultureInfo.InvariantCulture) ?? "?"}");
            Console.WriteLine($"  serial: {info.SerialNumber}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// SoftHSM cannot start (CKR_GENERAL_ERROR), let alone initialize a token, without its token directory; the
    /// reference procedure makes it by hand (mkdir -p, chmod 700). The first init on a fresh mount makes it here,
    /// owned by the user who runs the service, so that step cannot be forgotten or done as the wrong user.
    /// </summary>
    private static void EnsureSoftHsmTokenDirectory(string modulePath)
    {
        if (OperatingSystem.IsWindows() || !SoftHsmConfigurationCheck.IsSoftHsm(modulePath))
        {
            return;   // SoftHSM's Windows builds keep tokens elsewhere; the container is Linux
        }

        var configuration = SoftHsmConfigurationCheck.ConfigurationFile(Environment.GetEnvironmentVariable);
        if (!File.Exists(configuration) || SoftHsmConfigurationCheck.TokenDirectory(configuration) is not { Length: > 0 } directory || Directory.Exists(directory))
        {
            return;   // nothing to create, or nothing known to create: the module's own error explains
        }

        try
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OperatorException($"cannot create the SoftHSM token directory {directory} (directories.tokendir in {configuration}): {exception.GetType().Name}. " +
                "Fix: make its parent directory writable by this user (in the container uid 10001: on the host, install -d -o 10001 -g 10001 -m 0750 /etc/hydra/auth), then run init again.");
        }

        Console.WriteLine($"Created the SoftHSM token directory {directory} (mode 700; directories.tokendir in {configuration})");
    }

    private static Command List()
    {
        var access = new TokenAccess();
        var json = new Option<bool>("--json") { Description = "machine-readable output" };
        var command = new Command("list", "List tokens (label, slot, serial, initialized); with --token and a PIN also its objects (never key material).") { json };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            Pkcs11Module module = TokenAccess.LoadModule(parse.GetValue(access.Module)!);
            var tokens = module.GetSlots().Where(s => s.Token is not null).Select(s => new TokenRow(
                s.Token!.Label, s.SlotId.ToString(CultureInfo.InvariantCulture), s.Token.SerialNumber, s.Token.Initialized)).ToList();
            List<ObjectRow>? objects = null;
            bool loggedIn = false;
            if (parse.GetValue(access.Token) is { Length: > 0 })
            {
                string? pin = access.ReadPin(parse, new OperatorInput(), required: false);
                loggedIn = pin is not null;
                using Pkcs11Token token = access.Open(parse, pin);
                objects = token.ListObjects().Select(ObjectRow.From).ToList();
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new ListOutput(tokens, objects, objects is null ? null : loggedIn), JsonOptions));
                return ExitCodes.Ok;
            }

            ConsoleTable.Write(Console.Out, ["LABEL", "SLOT", "SERIAL", "INITIALIZED"],
                tokens.Select(t => (IReadOnlyList<string>)[t.Label.Length == 0 ? "(free)" : t.Label, t.Slot, t.Serial, t.Initialized ? "yes" : "no"]));
            if (objects is not null)
            {
                Console.WriteLine();
                ConsoleTable.Write(Console.Out, ["CLASS", "LABEL", "ID", "KEY", "SENSITIVE", "EXTRACTABLE", "SUBJECT", "ISSUER", "EXPIRES"],
                    objects.Select(o => (IReadOnlyList<string>)[o.Class, o.Label, o.Id, o.Key ?? "", YesNo(o.Sensitive), YesNo(o.Extractable), o.Subject ?? "", o.Issuer ?? "", o.Expires ?? ""]));
                if (!loggedIn)
                {
                    Console.WriteLine("(not logged in: private keys are hidden; add --pin-file FILE or --pin-stdin to see them)");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => "" };

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private sealed record ListOutput(IReadOnlyList<TokenRow> Tokens, IReadOnlyList<ObjectRow>? Objects, bool? LoggedIn);

    private sealed record TokenRow(string Label, string Slot, string Serial, bool Initialized);

    private sealed record ObjectRow(string Class, string Label, string Id, string? Key, bool? Sensitive, bool? Extractable, string? Subject, string? Issuer, string? Expires)
    {
        public static ObjectRow From(Pkcs11ObjectDetails o)
        {
            string? subject = null, issuer = null, expires = null;
            if (o.CertificateDer is { } der)
            {
                using X509Certificate2 cert = X509CertificateLoader.LoadCertificate(der);
                (subject, issuer, expires) = (cert.Subject, cert.Issuer, CertificateRequirements.Format(cert.NotAfter));
            }

            string? key = o.KeyType is null ? null : o.KeySizeBits is { } bits ? string.Create(CultureInfo.InvariantCulture, $"{o.KeyType} {bits}") : o.KeyType;
            return new ObjectRow(ClassName(o.Class), o.Label, o.IdHex, key, o.Sensitive, o.Extractable, subject, issuer, expires);
        }
    }

    internal static string ClassName(Pkcs11ObjectClass c) => c switch
    {
        Pkcs11ObjectClass.PrivateKey => "private-key",
        Pkcs11ObjectClass.PublicKey => "public-key",
        Pkcs11ObjectClass.Certificate => "certificate",
        Pkcs11ObjectClass.SecretKey => "secret-key",
        _ => "data",
    };

    private static Command Delete()
    {
        var access = new TokenAccess();
        var id = new Option<string?>("--id") { Description = "object id in hex, e.g. 01" };
        var label = new Option<string?>("--label") { Description = "object label, e.g. ra-cert" };
        var cls = new Option<string>("--class") { Description = "private-key, public-key, certificate or all (default all)", DefaultValueFactory = _ => "all" };
        cls.AcceptOnlyFromAmong("private-key", "public-key", "certificate", "all");
        var yes = new Option<bool>("--yes") { Description = "do not ask for confirmation" };
        var command = new Command("delete", "Delete objects by id and/or label (asks for confirmation unless --yes).") { id, label, cls, yes };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            if (parse.GetValue(id) is null && parse.GetValue(label) is null)
            {
                throw OperatorException.Usage("give --id HEX or --label LABEL (or both) to select what to delete.");
            }

            var selector = new Pkcs11Uri
            {
                Id = parse.GetValue(id) is { } hex ? HexId.Parse(hex) : null,
                ObjectLabel = parse.GetValue(label),
                Type = parse.GetValue(cls) switch
                {
                    "private-key" => Pkcs11ObjectClass.PrivateKey,
                    "public-key" => Pkcs11ObjectClass.PublicKey,
                    "certificate" => Pkcs11ObjectClass.Certificate,
                    _ => null,
                },
            };
            string pin = access.ReadPin(parse, new OperatorInput())!;
            using Pkcs11Token token = access.Open(parse, pin);
            IReadOnlyList<Pkcs11ObjectInfo> found = token.FindObjects(selector);
            if (found.Count == 0)
            {
                throw new OperatorException($"nothing on {token} matches {selector}; 'authservice token list --token {token.Label} --pin-file FILE' shows the objects.");
            }

            foreach (Pkcs11ObjectInfo o in found)
            {
                Console.WriteLine($"  {ClassName(o.Class)} label='{o.Label}' id={o.IdHex}");
            }

            if (!parse.GetValue(yes))
            {
                bool confirmed = TerminalPrompt.Confirm($"Delete these {found.Count} object(s) from {token}?")
                    ?? throw OperatorException.Usage("no terminal to confirm on: add --yes to delete without confirmation.");
                if (!confirmed)
                {
                    Console.WriteLine("Nothing deleted.");
                    return ExitCodes.Failed;
                }
            }

            int deleted = token.DestroyObjects(selector);
            Console.WriteLine($"Deleted {deleted} object(s) from {token}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}

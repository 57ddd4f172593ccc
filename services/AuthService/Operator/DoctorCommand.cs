using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Aws.Protocol;
using AuthService.Configuration;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>
/// `authservice doctor`: every check of the reference troubleshooting section (token directory, token label, PIN,
/// certificate, ...) plus permissions, ARNs and endpoint reachability, as one table with the command that fixes
/// each problem. Exit 0 when nothing FAILed, 1 otherwise.
/// </summary>
internal static class DoctorCommand
{
    public static Command Build()
    {
        var awsDir = new Option<string>("--aws-dir") { Description = $"directory of the credentials and config files (default {AwsProfilePaths.DefaultDirectory})", DefaultValueFactory = _ => AwsProfilePaths.DefaultDirectory };
        var config = new Option<string?>("--config") { Description = "the configurations file (default: AUTHSERVICE_Configuration__File or /opt/alation/site/config/authserver/configurations.json)" };
        var module = new Option<string?>("--module") { Description = $"PKCS#11 module when a profile names none (default {TokenAccess.DefaultModule})" };
        var profile = new Option<string?>("--profile") { Description = "check only this profile" };
        var timeout = new Option<double>("--timeout") { Description = "seconds per endpoint connection (default 3)", DefaultValueFactory = _ => 3 };
        var command = new Command("doctor", "Check the token, the credentials profiles, permissions, ARNs and AWS endpoints; prints CHECK | STATUS | DETAIL | FIX. Exit 0 when no FAIL.")
        {
            awsDir, config, module, profile, timeout,
        };
        OperatorAction.Attach(command, parse =>
        {
            var doctor = new Doctor(
                parse.GetValue(awsDir)!,
                parse.GetValue(config) ?? Environment.GetEnvironmentVariable("AUTHSERVICE_Configuration__File") ?? new ConfigurationStoreOptions().File,
                parse.GetValue(module),
                parse.GetValue(profile),
                TimeSpan.FromSeconds(parse.GetValue(timeout)),
                TimeProvider.System);
            IReadOnlyList<DoctorRow> rows = doctor.Run();
            ConsoleTable.Write(Console.Out, ["CHECK", "STATUS", "DETAIL", "FIX"], rows.Select(r => (IReadOnlyList<string>)[r.Check, r.Status, r.Detail, r.Fix]), " | ");
            int failed = rows.Count(r => r.Status == DoctorRow.Fail);
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows.Count(r => r.Status == DoctorRow.Ok)} ok, {rows.Count(r => r.Status == DoctorRow.Warn)} warn, {failed} FAIL"));
            return failed == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}

/// <summary>One line of the doctor's table.</summary>
internal sealed record DoctorRow(string Check, string Status, string Detail, string Fix)
{
    public const string Ok = "ok";
    public const string Warn = "warn";
    public const string Fail = "FAIL";
}

/// <summary>The checks, in the order an operator would fix them.</summary>
internal sealed class Doctor(string awsDir, string configFile, string? module, string? onlyProfile, TimeSpan timeout, TimeProvider time)
{
    /// <summary>Debian's default softhsm2.conf, used when SOFTHSM2_CONF is not set.</summary>
    public const string DefaultSoftHsmConf = "/etc/softhsm/softhsm2.conf";

    private readonly List<DoctorRow> _rows = [];

    public IReadOnlyList<DoctorRow> Run()
    {
        CheckSoftHsm();
        string credentials = Path.Combine(awsDir, "credentials");
        string config = Path.Combine(awsDir, "config");
        CheckPermissions(credentials, required: true);
        CheckPermissions(config, required: false);
        AwsProfileStore? store = LoadProfiles(config, credentials);
        IReadOnlyList<AuthConfiguration> configurations = LoadConfigurations();
        if (store is not null)
        {
            var names = onlyProfile is not null ? [onlyProfile] : store.ProfileNames.Order(StringComparer.Ordinal).ToList();
            foreach (string name in names)
            {
                CheckProfile(store, name, configurations);
            }
        }

        return _rows;
    }

    private void Add(string check, string status, string detail, string fix = "") => _rows.Add(new DoctorRow(check, status, detail, fix));

    private void CheckSoftHsm()
    {
        string conf = Environment.GetEnvironmentVariable("SOFTHSM2_CONF") is { Length: > 0 } c ? c : DefaultSoftHsmConf;
        if (!File.Exists(conf))
        {
            Add("softhsm2.conf", DoctorRow.Fail, $"{conf} does not exist (CKR_TOKEN_NOT_PRESENT / no token will be found)",
                $"printf 'directories.tokendir = /opt/alation/site/config/authserver/softhsm/tokens\\nobjectstore.backend = file\\n' > {conf}");
            return;
        }

        string? tokenDir = File.ReadAllLines(conf).Select(l => l.Trim()).Where(l => l.StartsWith("directories.tokendir", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2) is [_, var v] ? v.Trim() : null).LastOrDefault();
        if (tokenDir is null)
        {
            Add("softhsm2.conf", DoctorRow.Fail, $"{conf} has no directories.tokendir", $"add 'directories.tokendir = /opt/alation/site/config/authserver/softhsm/tokens' to {conf}");
            return;
        }

        Add("softhsm2.conf", DoctorRow.Ok, $"{conf}: tokendir {tokenDir}");
        if (!Directory.Exists(tokenDir))
        {
            Add("token directory", DoctorRow.Fail, $"{tokenDir} does not exist: SoftHSM finds no token (CKR_TOKEN_NOT_PRESENT)",
                $"mkdir -p {tokenDir} && chmod 700 {tokenDir} && authservice token init --label roles-anywhere (then import key and certificate)");
            return;
        }

        try
        {
            int tokens = Directory.EnumerateDirectories(tokenDir).Count();
            Add("token directory", tokens > 0 ? DoctorRow.Ok : DoctorRow.Warn, string.Create(CultureInfo.InvariantCulture, $"{tokenDir}: {tokens} token(s)"),
                tokens > 0 ? "" : "authservice token init --label roles-anywhere");
        }
        catch (UnauthorizedAccessException)
        {
            Add("token directory", DoctorRow.Fail, $"{tokenDir} is not readable by this user", $"chown -R $(id -u) {tokenDir} && chmod 700 {tokenDir}");
        }
    }

    private void CheckPermissions(string path, bool required)
    {
        string check = $"permissions {Path.GetFileName(path)}";
        if (!File.Exists(path))
        {
            if (required)
            {
                Add(check, DoctorRow.Fail, $"{path} does not exist", "authservice credentials write --profile NAME --trust-anchor-arn ... --profile-arn ... --role-arn ... --pin-file FILE");
            }

            return;
        }

        if (OperatingSystem.IsWindows())
        {
            return;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        string octal = Convert.ToString((int)mode, 8);
        if ((mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            Add(check, DoctorRow.Warn, $"{path} is mode {octal}: group/world-writable, anyone with write access can change the profile", $"chmod 640 {path}");
        }
        else if ((mode & UnixFileMode.OtherRead) != 0)
        {
            Add(check, DoctorRow.Warn, $"{path} is mode {octal}: world-readable, and it may hold the User PIN", $"chmod 640 {path}");
        }
        else
        {
            Add(check, DoctorRow.Ok, $"{path} mode {octal}");
        }
    }

    private AwsProfileStore? LoadProfiles(string config, string credentials)
    {
        try
        {
            return AwsProfileStore.Load(new AwsProfilePaths(config, credentials));
        }
        catch (AwsConfigFileException e)
        {
            Add("profiles", DoctorRow.Fail, e.Message, $"fix the lines named, or rewrite the profile with 'authservice credentials write --aws-dir {awsDir} ...'");
            return null;
        }
    }

    private IReadOnlyList<AuthConfiguration> LoadConfigurations()
    {
        if (!File.Exists(configFile))
        {
            return [];
        }

        var (configurations, errors) = ConfigurationStore.Parse(File.ReadAllBytes(configFile), configFile);
        if (errors.Count > 0)
        {
            Add("configurations", DoctorRow.Fail, string.Join("; ", errors), $"fix {configFile}, or re-add with 'authservice config add'");
        }
        else
        {
            Add("configurations", DoctorRow.Ok, string.Create(CultureInfo.InvariantCulture, $"{configFile}: {configurations.Count} configuration(s)"));
        }

        return configurations;
    }

    private void CheckProfile(AwsProfileStore store, string name, IReadOnlyList<AuthConfiguration> configurations)
    {
        string p = $"[{name}]";
        AwsProfile? profile = store.Find(name);
        if (profile is null)
        {
            Add($"{p} profile", DoctorRow.Fail, $"no profile {name} in {store.Paths.CredentialsFile}", $"authservice credentials write --profile {name} --aws-dir {awsDir} ...");
            return;
        }

        if (profile.CredentialProcess is not { } line)
        {
            Add($"{p} profile", DoctorRow.Ok, "no credential_process (not a Roles Anywhere profile; not checked further)");
            return;
        }

        SigningHelperCommand helper;
        try
        {
            IReadOnlyList<string> words = ShellWords.Split(line);
            if (!SigningHelperCommand.IsSigningHelper(words))
            {
                Add($"{p} profile", DoctorRow.Ok, "credential_process is another program (run as the AWS SDKs run it; not checked further)");
                return;
            }

            helper = SigningHelperCommand.Parse(words);
        }
        catch (FormatException e)
        {
            Add($"{p} profile", DoctorRow.Fail, e.Message, $"authservice credentials write --profile {name} --aws-dir {awsDir} ...");
            return;
        }

        // ARNs and regions.
        var users = configurations.Where(c => c.Auth.Profile == name).ToList();
        IReadOnlyList<string> arnProblems = ArnRules.Problems(helper.TrustAnchorArn, helper.ProfileArn, helper.RoleArn, helper.Region);
        string? region = ArnRules.RegionOf(helper.TrustAnchorArn) ?? ArnRules.RegionOf(helper.ProfileArn);
        Add($"{p} ARNs", arnProblems.Count == 0 ? DoctorRow.Ok : DoctorRow.Fail,
            arnProblems.Count == 0 ? $"trust anchor, profile and role well-formed; Roles Anywhere region {region}" : string.Join("; ", arnProblems),
            arnProblems.Count == 0 ? "" : $"authservice credentials write --profile {name} --trust-anchor-arn ... --profile-arn ... --role-arn ... (copy the ARNs from the IAM console)");
        foreach (AuthConfiguration c in users.Where(c => region is not null && c.Region != region))
        {
            Add($"{p} region", DoctorRow.Warn, $"configuration '{c.Name}' reads secrets in {c.Region}; Roles Anywhere is in {region}", $"if the secrets are in {region}: authservice config add --name {c.Name} --region {region} --profile {name}");
        }

        if (helper.CertificateIsPkcs11 && helper.PrivateKeyIsPkcs11)
        {
            CheckToken(p, helper);
        }
        else
        {
            Add($"{p} key", DoctorRow.Ok, "filesystem certificate and key (not a PKCS#11 profile)");
        }

        CheckEndpoints(p, region, helper, profile, users);
    }

    private void CheckToken(string p, SigningHelperCommand helper)
    {
        Pkcs11Uri certUri, keyUri;
        try
        {
            certUri = Pkcs11Uri.Parse(helper.Certificate);
            keyUri = Pkcs11Uri.Parse(helper.PrivateKey ?? helper.Certificate);
        }
        catch (Pkcs11UriFormatException e)
        {
            Add($"{p} URIs", DoctorRow.Fail, e.Message, "authservice credentials write ... (writes both URIs)");
            return;
        }

        string modulePath = helper.Pkcs11Library ?? module ?? TokenAccess.DefaultModule;
        Pkcs11Module m;
        try
        {
            m = Pkcs11Module.Open(modulePath);
            Pkcs11ModuleInfo info = m.GetInfo();
            Add("module", DoctorRow.Ok, $"{modulePath}: {info.Manufacturer} {info.LibraryVersion}");
        }
        catch (Pkcs11Exception e)
        {
            Add("module", DoctorRow.Fail, e.Message, $"install the module (apt-get install softhsm2) or fix --pkcs11-lib (now {modulePath})");
            return;
        }

        string label = keyUri.Token ?? certUri.Token ?? "";
        if (m.FindTokens(new Pkcs11Uri { Token = keyUri.Token, Serial = keyUri.Serial }).Count == 0)
        {
            string present = string.Join(", ", m.GetSlots().Where(s => s.Token is { Initialized: true }).Select(s => $"'{s.Token!.Label}'"));
            Add($"{p} token", DoctorRow.Fail, $"PKCS11 token not found: no token '{label}'; tokens present: {(present.Length == 0 ? "none" : present)}",
                present.Length == 0 ? $"authservice token init --label {label}" : $"fix token= in the profile to one of {present} (authservice credentials write --token LABEL ...), or authservice token init --label {label}");
            return;
        }

        Add($"{p} token", DoctorRow.Ok, $"token '{label}' present");
        string? pin;
        try
        {
            pin = keyUri.ReadPin() ?? certUri.ReadPin();
        }
        catch (Pkcs11UriFormatException e)
        {
            Add($"{p} PIN", DoctorRow.Fail, e.Message, "make the pin-source file readable by the service user, or rewrite the profile: authservice credentials write --pin-file FILE ...");
            return;
        }

        using Pkcs11Token token = m.OpenToken(new Pkcs11Uri { Token = keyUri.Token, Serial = keyUri.Serial });
        if (pin is null)
        {
            Add($"{p} PIN", DoctorRow.Warn, "the profile has no pin-value or pin-source: key and login not checked", $"authservice credentials write --profile ... --pin-source file:/path (or --pin-file FILE)");
            return;
        }

        try
        {
            token.Login(pin);
            Add($"{p} PIN", DoctorRow.Ok, "login as user succeeded");
        }
        catch (Pkcs11Exception e)
        {
            Add($"{p} PIN", DoctorRow.Fail, $"{e.CkrName ?? "login failed"}: the PIN in the profile does not open token '{label}'",
                e.CkrName == "CKR_PIN_LOCKED"
                    ? $"reset the User PIN as SO (softhsm2-util/pkcs11-tool --init-pin), then authservice credentials write --pin-file FILE ..."
                    : $"authservice credentials write --profile {p.Trim('[', ']')} --pin-file FILE ... (the User PIN set by 'authservice token init')");
            return;
        }

        Pkcs11PrivateKey? key = null;
        try
        {
            key = token.GetPrivateKey(new Pkcs11Uri { ObjectLabel = keyUri.ObjectLabel, Id = keyUri.Id });
            Add($"{p} key", DoctorRow.Ok, $"{key.KeyType.ToString().ToUpperInvariant()} {key.KeySizeBits.ToString(CultureInfo.InvariantCulture)} label='{key.Label}' id={HexId.Format(key.Id)}");
        }
        catch (Pkcs11Exception e)
        {
            Add($"{p} key", DoctorRow.Fail, e.Message, $"authservice token import-key --token {label} --label {keyUri.ObjectLabel ?? "ra-key"} --id {HexId.Format(keyUri.Id ?? [1])} (key PEM on stdin)");
        }

        X509Certificate2? cert = null;
        try
        {
            cert = token.GetCertificate(CredentialsCommands.CertificateSelector(certUri));
        }
        catch (Pkcs11Exception e)
        {
            Add($"{p} certificate", DoctorRow.Fail, e.Message, $"authservice token import-cert --token {label} --label {certUri.ObjectLabel ?? "ra-cert"} --id {HexId.Format(certUri.Id ?? [1])} < client.crt");
        }

        using (cert)
        {
            if (cert is null)
            {
                return;
            }

            DateTimeOffset now = time.GetUtcNow();
            IReadOnlyList<string> problems = CertificateRequirements.Problems(cert, now);
            TimeSpan left = cert.NotAfter.ToUniversalTime() - now.UtcDateTime;
            string rotate = $"authservice token rotate-cert --token {label} --id {HexId.Format(certUri.Id ?? [1])} --file NEW.crt";
            if (problems.Count > 0)
            {
                Add($"{p} certificate", DoctorRow.Fail, $"'{cert.Subject}': {string.Join("; ", problems)}", rotate);
            }
            else if (left < TimeSpan.FromDays(30))
            {
                Add($"{p} certificate", DoctorRow.Warn, string.Create(CultureInfo.InvariantCulture, $"'{cert.Subject}' expires in {left.TotalDays:0} day(s) ({CertificateRequirements.Format(cert.NotAfter)})"), rotate);
            }
            else
            {
                Add($"{p} certificate", DoctorRow.Ok, $"'{cert.Subject}' issued by '{cert.Issuer}', expires {CertificateRequirements.Format(cert.NotAfter)}");
            }

            if (key is not null)
            {
                try
                {
                    string mechanism = KeyCommands.Verify(key, cert);
                    Add($"{p} key/cert pair", DoctorRow.Ok, $"test signature verified ({mechanism})");
                }
                catch (OperatorException e)
                {
                    Add($"{p} key/cert pair", DoctorRow.Fail, e.Message, rotate);
                }
            }
        }
    }

    private void CheckEndpoints(string p, string? region, SigningHelperCommand helper, AwsProfile profile, List<AuthConfiguration> users)
    {
        if (region is null)
        {
            return;
        }

        Func<string, string?> environment = Environment.GetEnvironmentVariable;
        var targets = new List<(string Service, string Id, Uri Endpoint)>();
        void Resolve(string service, string prefix, string id, string r, Uri? explicitEndpoint)
        {
            try
            {
                targets.Add((service, id, AwsEndpoints.Resolve(prefix, id, r, profile.UseFipsEndpoint, explicitEndpoint, profile.EndpointUrlFor(prefix), environment)));
            }
            catch (ArgumentException e)
            {
                Add($"{p} endpoint {service}", DoctorRow.Fail, e.Message, "set a valid region or endpoint URL");
            }
        }

        Resolve("rolesanywhere", "rolesanywhere", "ROLESANYWHERE", region, helper.Endpoint);
        if (users.Count == 0)
        {
            Resolve("sts", "sts", "STS", region, null);
            Resolve("secretsmanager", "secretsmanager", "SECRETS_MANAGER", region, null);
        }

        foreach (AuthConfiguration c in users)
        {
            Uri? configured = c.EndpointUrl is { Length: > 0 } u && Uri.TryCreate(u, UriKind.Absolute, out Uri? parsed) ? parsed : null;
            Resolve("sts", "sts", "STS", c.Region, configured);
            Resolve("secretsmanager", "secretsmanager", "SECRETS_MANAGER", c.Region, configured);
        }

        foreach (var (service, id, endpoint) in targets.DistinctBy(t => (t.Service, t.Endpoint.Authority)))
        {
            string target = $"{endpoint.Host}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";
            string? error = Connect(endpoint.Host, endpoint.Port);
            Add($"{p} endpoint {service}", error is null ? DoctorRow.Ok : DoctorRow.Fail,
                error is null ? $"TCP connect to {target} succeeded" : $"cannot connect to {target}: {error}",
                error is null ? "" : $"allow outbound TCP to {target} (firewall, proxy, DNS), or set the endpoint URL (AWS_ENDPOINT_URL_{id} or the configuration's endpointUrl)");
        }
    }

    private string? Connect(string host, int port)
    {
        using var client = new TcpClient();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            client.ConnectAsync(host, port, cancel.Token).AsTask().GetAwaiter().GetResult();
            return null;
        }
        catch (OperationCanceledException)
        {
            return string.Create(CultureInfo.InvariantCulture, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
    }
}

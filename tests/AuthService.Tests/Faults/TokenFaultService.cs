namespace AuthService.Tests.Faults;

/// <summary>
/// The reference procedure's SoftHSM2 token and single-line credentials profile (pkcs11: URIs with pin-value),
/// under a service that may not bypass file permissions: when the tests run as root, the service is started
/// without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (setpriv), so a token file set to mode 000 is unreadable
/// to it as it would be to a non-root service user. Configuration <c>token</c>: TTL 1 s, stale up to 3 s.
/// </summary>
public sealed class TokenFaultService : FaultServiceBase
{
    public const string Pin = "402913";
    public const string NewPin = "518207";
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";

    public TokenFaultService()
        : base("authservice-token-faults-")
    {
    }

    /// <summary>Why these tests cannot run here, or null.</summary>
    public static string? SkipReason =>
        !SoftHsmFactAttribute.Available ? "SoftHSM2 or OpenSC is not installed (softhsm2, opensc): run scripts/install-test-deps"
        : Environment.UserName == "root" && !File.Exists("/usr/bin/setpriv") ? "running as root without setpriv (util-linux): a chmod 000 token could not be made unreadable to the service"
        : null;

    public string Tokens => Path.Combine(Directory, "softhsm", "tokens");

    public Dictionary<string, string> SoftHsmEnvironment => new() { ["SOFTHSM2_CONF"] = Path.Combine(Directory, "softhsm2.conf") };

    protected override bool CanRun => SkipReason is null;

    /// <summary>The profile as the reference procedure writes it, with <paramref name="pin"/> in both URIs.</summary>
    public async Task WriteProfileAsync(string pin, string extra = "")
    {
        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(Demo);
        await File.WriteAllTextAsync(CredentialsFile, $"""
            [iam_roles_anywhere_profile]
            credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate "pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value={pin}" --private-key "pkcs11:token=roles-anywhere;object=ra-key;id=%01?pin-value={pin}" --pkcs11-lib {Module} --trust-anchor-arn {anchor} --profile-arn {profile} --role-arn {role}
            {extra}
            """);
    }

    /// <summary>pkcs11-tool --change-pin, as an operator would run it inside the container.</summary>
    public Task ChangePinAsync(string from, string to) =>
        Processes.RunAsync("pkcs11-tool", SoftHsmEnvironment, null, "--module", Module, "--login", "--pin", from, "--change-pin", "--new-pin", to);

    /// <summary>Every file of the token database (not the directories: SoftHSM aborts when a directory it read vanishes).</summary>
    public IEnumerable<string> TokenFiles => System.IO.Directory.EnumerateFiles(Tokens, "*", SearchOption.AllDirectories);

    protected override async Task PrepareAsync(Dictionary<string, string> environment)
    {
        System.IO.Directory.CreateDirectory(Tokens);
        await File.WriteAllTextAsync(SoftHsmEnvironment["SOFTHSM2_CONF"], $"directories.tokendir = {Tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        foreach (var (name, value) in SoftHsmEnvironment)
        {
            environment[name] = value;
        }

        await Processes.RunAsync("softhsm2-util", SoftHsmEnvironment, null, "--init-token", "--free", "--label", "roles-anywhere", "--so-pin", "5678", "--pin", Pin);
        await Processes.RunAsync("softhsm2-util", SoftHsmEnvironment, await File.ReadAllTextAsync(Path.Combine(Demo, "client_private.key")),
            "--import", "/dev/stdin", "--token", "roles-anywhere", "--pin", Pin, "--label", "ra-key", "--id", "01", "--force");
        await Processes.RunAsync("pkcs11-tool", SoftHsmEnvironment, null,
            "--module", Module, "--login", "--pin", Pin, "--write-object", Path.Combine(Demo, "client.crt"), "--type", "cert", "--label", "ra-cert", "--id", "01");

        // Written with the default umask (0644: world-readable), as an operator's editor would: the service warns.
        await WriteProfileAsync(Pin);
        await WriteConfigurationsAsync(
            """{ "name": "token", "region": "us-east-1", "endpointUrl": "ENDPOINT", "auth": { "type": "profile", "profile": "iam_roles_anywhere_profile" }, "cache": { "ttlSeconds": 1, "maxStaleSeconds": 3 } }""");
    }

    protected override System.Diagnostics.ProcessStartInfo ServiceStartInfo(System.Diagnostics.ProcessStartInfo dotnet)
    {
        if (Environment.UserName != "root")
        {
            return dotnet;
        }

        // Root ignores file modes through these two capabilities; without them it obeys them like any user.
        var start = new System.Diagnostics.ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search", "--", dotnet.FileName, .. dotnet.ArgumentList])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in dotnet.Environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}

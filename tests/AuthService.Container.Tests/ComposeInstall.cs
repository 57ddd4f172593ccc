using System.Text.Json;

namespace AuthService.Container.Tests;

/// <summary>
/// A host as docs/operations.md sets it up, run from that file's own command blocks: "Install" with compose
/// (docker-compose.yml + compose/demo.yml for the AwsEmulator and the Python connector + compose/test.yml for
/// per-run names), the key conversion on the host, the reference procedure typed into `docker exec -i auth bash`,
/// the single-line credentials profile with the reference's permissions, and `authservice config add`.
/// </summary>
public class ComposeInstall : IAsyncLifetime
{
    /// <summary>The reference procedure's throwaway demo PINs (never real ones; visible in this file on purpose).</summary>
    public const string Pin = "731946";
    public const string SoPin = "5678";

    /// <summary>The gid standing in for the host group alationdocker, which owns .aws/credentials.</summary>
    public const string FilesGroup = "10002";

    private readonly string _root = Directory.CreateTempSubdirectory("authservice-ct-").FullName;

    public string Name { get; } = "ct" + Guid.NewGuid().ToString("N")[..8];

    public string Container => Name + "-auth";

    public string HostDirectory => Path.Combine(_root, "auth");

    public string DemoDirectory => Path.Combine(_root, "demo");

    public string KeyDirectory => Path.Combine(_root, "keys");

    /// <summary>What the host-side commands see: compose files and names for this run (COMPOSE_FILE, ...).</summary>
    public Dictionary<string, string> Environment { get; } = new();

    public string ConvertOutput { get; protected set; } = "";

    public string ProvisionOutput { get; protected set; } = "";

    public string TrustAnchorArn { get; private set; } = "";

    public string ProfileArn { get; private set; } = "";

    public string RoleArn { get; private set; } = "";

    public string ConfigureOutput { get; private set; } = "";

    public string FilesGroupOutput { get; private set; } = "";

    public string PrivateKeyPem { get; protected set; } = "";

    /// <summary>Images a test built for this run only (the upgrade's second version), removed at the end.</summary>
    public List<string> TemporaryImages { get; } = new();

    public async Task InitializeAsync()
    {
        if (await Shell.RunAsync("docker", ["info"]) is not { ExitCode: 0 })
        {
            return;
        }

        Environment["COMPOSE_FILE"] = "docker-compose.yml:compose/demo.yml:compose/test.yml";
        Environment["COMPOSE_PROJECT_NAME"] = Name;
        Environment["AUTH_TEST_NAME"] = Name;
        Environment["AUTH_HOST_DIR"] = HostDirectory;
        Environment["AUTH_DEMO_DIR"] = DemoDirectory;
        Environment["AUTH_FILES_GID"] = FilesGroup;
        Environment["AUTH_IMAGE"] = Images.Service;

        // Install: host directory for uid 10001, `docker-compose up -d auth` (demo.yml starts the emulator with it).
        var install = await Shell.BashAsync(Host("install"), Environment, timeout: TimeSpan.FromMinutes(3));
        Assert.Matches("starting|healthy", install.Output);
        await WaitHealthyAsync(Container);
        await WaitForEmulatorAsync();

        // On the host: the client key as many CAs hand it out (PKCS#1).
        Directory.CreateDirectory(KeyDirectory);
        await Shell.RunCheckedAsync("openssl", ["rsa", "-in", Path.Combine(DemoDirectory, "client_private.key"), "-traditional", "-out", Path.Combine(KeyDirectory, "client_private.key")]);
        using var seed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(DemoDirectory, "seed.json")));
        var account = seed.RootElement.GetProperty("accountId").GetString();
        var region = seed.RootElement.GetProperty("region").GetString();
        var profile = seed.RootElement.GetProperty("profiles")[0];
        TrustAnchorArn = $"arn:aws:rolesanywhere:{region}:{account}:trust-anchor/{seed.RootElement.GetProperty("trustAnchors")[0].GetProperty("id").GetString()}";
        ProfileArn = $"arn:aws:rolesanywhere:{region}:{account}:profile/{profile.GetProperty("id").GetString()}";
        RoleArn = profile.GetProperty("roleArns")[0].GetString()!;
        await ProvisionAsync();

        // The container reads .aws/credentials through the group that owns it (already AUTH_FILES_GID here, so
        // compose finds auth up to date), then the configuration is tested through the running service and saved:
        // right after the credentials were written, as an operator types it.
        FilesGroupOutput = (await Shell.BashAsync(Host("files-group"), Environment, timeout: TimeSpan.FromMinutes(3))).All;
        ConfigureOutput = (await Shell.BashAsync(Host("configure"), Environment, timeout: TimeSpan.FromMinutes(2))).All;
    }

    /// <summary>
    /// Puts the demo key and certificate into a token and writes the credentials profile: here with the reference
    /// procedure (softhsm2-util, pkcs11-tool, the profile typed on the host); subclasses use other tools.
    /// </summary>
    protected virtual async Task ProvisionAsync()
    {
        // On the host: the PKCS#1 key converted as the reference says.
        ConvertOutput = (await Shell.BashAsync(Host("convert-key"), Environment, KeyDirectory)).Output;
        PrivateKeyPem = await File.ReadAllTextAsync(Path.Combine(KeyDirectory, "client_private_pkcs8.key"));

        // In the container: the procedure pasted into `docker exec -i auth bash`, stopping at the first error.
        var provision = OperationsDoc.Block("provision").Replace("<SO_PIN>", SoPin, StringComparison.Ordinal).Replace("<USER_PIN>", Pin, StringComparison.Ordinal);
        provision = OperationsDoc.Paste(provision, "PRIVATE KEY", PrivateKeyPem);
        provision = OperationsDoc.Paste(provision, "CERTIFICATE", await File.ReadAllTextAsync(Path.Combine(DemoDirectory, "client.crt")));
        ProvisionOutput = (await Shell.RunCheckedAsync("docker", ["exec", "-i", Container, "bash"], "set -e\n" + provision)).All;

        // On the host: the credentials profile with the seed's ARNs, and the reference's permissions.
        var credentials = Host("credentials")
            .Replace("<profile-name>", "iam_roles_anywhere_profile", StringComparison.Ordinal)
            .Replace("<USER_PIN>", Pin, StringComparison.Ordinal)
            .Replace("<trust-anchor-arn>", TrustAnchorArn, StringComparison.Ordinal)
            .Replace("<profile-arn>", ProfileArn, StringComparison.Ordinal)
            .Replace("<role-arn>", RoleArn, StringComparison.Ordinal);
        await Shell.BashAsync(credentials, Environment);
    }

    /// <summary>A docs/operations.md block with this run's host directory, container name and group.</summary>
    public string Host(string block) => OperationsDoc.ForHost(OperationsDoc.Block(block), HostDirectory, Container, FilesGroup);

    /// <summary>GetSecret from the Python grpcio connector container of compose/demo.yml.</summary>
    public async Task<JsonElement> ConnectorGetSecretAsync(string target, string configuration, string secretId, string jsonKey)
    {
        var result = await Shell.RunCheckedAsync("docker-compose", ["run", "--rm", "-T", "--no-deps", "connector", target, configuration, secretId, jsonKey], environment: Environment, timeout: TimeSpan.FromMinutes(2));
        return JsonDocument.Parse(result.Output).RootElement.Clone();
    }

    /// <summary>The AwsEmulator's admin API (counters, faults), called from inside its container: it has no host port.</summary>
    public async Task<string> EmulatorAdminAsync(string method, string path, string? body = null)
    {
        var result = await Shell.RunCheckedAsync("docker-compose", ["exec", "-T", "emulator", "curl", "-fsS", "-X", method, "-H", "Content-Type: application/json",
            .. body is null ? Array.Empty<string>() : ["--data-binary", "@-"], $"http://127.0.0.1:4599{path}"], body, Environment);
        return result.Output;
    }

    public static async Task WaitHealthyAsync(string container)
    {
        var status = "";
        for (var attempt = 0; attempt < 120; attempt++)
        {
            status = (await Shell.DockerCheckedAsync("inspect", "--format", "{{.State.Health.Status}}", container)).Output.Trim();
            if (status == "healthy")
            {
                return;
            }

            await Task.Delay(500);
        }

        var logs = await Shell.DockerAsync("logs", "--tail", "30", container);
        Assert.Fail($"{container} is '{status}', not healthy, after 60 s:\n{logs.All}");
    }

    private async Task WaitForEmulatorAsync()
    {
        var id = (await Shell.RunCheckedAsync("docker-compose", ["ps", "-q", "emulator"], environment: Environment)).Output.Trim();
        Assert.False(string.IsNullOrEmpty(id), "compose/demo.yml did not start the emulator with auth (depends_on)");
        await WaitHealthyAsync(id);
        Assert.True(File.Exists(Path.Combine(DemoDirectory, "seed.json")), "the emulator wrote no demo seed into AUTH_DEMO_DIR");
    }

    public async Task DisposeAsync()
    {
        if (Environment.Count > 0)
        {
            await Shell.RunAsync("docker-compose", ["down", "-v", "--remove-orphans", "-t", "5"], environment: Environment, timeout: TimeSpan.FromMinutes(2));
            foreach (var image in TemporaryImages)
            {
                await Shell.RunAsync("docker", ["image", "rm", image]);
            }
        }

        Directory.Delete(_root, recursive: true);
    }
}

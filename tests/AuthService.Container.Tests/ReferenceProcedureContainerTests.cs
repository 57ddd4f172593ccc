using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AuthService.Container.Tests;

/// <summary>
/// The Alation SoftHSM procedure against the real image under compose, and what the container promises once a
/// token is provisioned: connectors read secrets, the key stays in the token, upgrades and restarts keep the mount.
/// </summary>
[Collection(DockerTests.Name)]
public sealed class ReferenceProcedureContainerTests : IClassFixture<ComposeInstall>
{
    private readonly ComposeInstall _install;
    private readonly Images _images;

    public ReferenceProcedureContainerTests(ComposeInstall install, Images images)
    {
        _install = install;
        _images = images;
    }

    [DockerFact]
    public async Task ReferenceProcedure_DockerExecVerbatim_PythonConnectorGetsSecretOverSocketAndTcp()
    {
        var overSocket = await _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/database", "password");
        var overTcp = await _install.ConnectorGetSecretAsync("auth:50051", "softhsm", "demo/database", "username");

        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", _install.ConvertOutput, StringComparison.Ordinal);
        Assert.Contains("-----BEGIN PRIVATE KEY-----", _install.ConvertOutput, StringComparison.Ordinal);
        Assert.Contains("Label:            roles-anywhere", _install.ProvisionOutput, StringComparison.Ordinal);
        Assert.Contains("Private Key Object", _install.ProvisionOutput, StringComparison.Ordinal);
        Assert.Contains("label:      ra-cert", _install.ProvisionOutput, StringComparison.Ordinal);
        Assert.Equal("demo-password", overSocket.GetProperty("value").GetString());
        Assert.Equal("demo", overTcp.GetProperty("value").GetString());
        // The token lives on the host's bind mount, written by the container's user.
        var owners = await Shell.RunCheckedAsync("stat", ["-c", "%u %a %n", Path.Combine(_install.HostDirectory, "softhsm", "tokens")]);
        Assert.StartsWith("10001 700 ", owners.Output, StringComparison.Ordinal);
        Assert.Single(Directory.GetFiles(Path.Combine(_install.HostDirectory, "softhsm", "tokens"), "token.object", SearchOption.AllDirectories));
    }

    [DockerFact]
    public async Task ConfigAdd_InTheContainer_TestedThenSavedOnTheMount()
    {
        var saved = await File.ReadAllTextAsync(Path.Combine(_install.HostDirectory, "configurations.json"));

        Assert.Contains("\"softhsm\"", saved, StringComparison.Ordinal);
        Assert.Contains("iam_roles_anywhere_profile", saved, StringComparison.Ordinal);
        Assert.DoesNotContain(ComposeInstall.Pin, saved, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", _install.ConfigureOutput, StringComparison.Ordinal);
        // `AUTH_FILES_GID=... docker-compose up -d auth` with the group already in place changes nothing.
        Assert.Contains($"{_install.Container} is up-to-date", _install.FilesGroupOutput, StringComparison.Ordinal);
        var groups = await Shell.DockerCheckedAsync("inspect", "--format", "{{.HostConfig.GroupAdd}}", _install.Container);
        Assert.Equal($"[{ComposeInstall.FilesGroup}]", groups.Output.Trim());
    }

    [DockerFact]
    public async Task UnixSocket_ConnectorWithoutGroup10001_PermissionDenied()
    {
        var result = await Shell.DockerCheckedAsync("run", "--rm", "-v", $"{_install.Name}-socket:/run/authservice", "authservice-connector:latest",
            "unix:/run/authservice/auth.sock", "softhsm", "demo/database", "password");

        Assert.Contains("\"UNAVAILABLE\"", result.Output, StringComparison.Ordinal);
        Assert.Contains("Permission denied", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-password", result.Output, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task PrivateKey_ExportWithThePinInsideTheContainer_NothingComesOut()
    {
        const string Module = "/usr/lib/softhsm/libsofthsm2.so";
        var keyBody = string.Concat(_install.PrivateKeyPem.Split('\n').Where(line => !line.StartsWith("-----", StringComparison.Ordinal)).Select(line => line.Trim()));
        var keyHex = Convert.ToHexString(Convert.FromBase64String(keyBody));

        var withPin = await Shell.DockerAsync("exec", _install.Container, "pkcs11-tool", "--module", Module, "--login", "--pin", ComposeInstall.Pin,
            "--read-object", "--type", "privkey", "--id", "01", "--output-file", "/tmp/ra-key.der");
        var written = await Shell.DockerAsync("exec", _install.Container, "sh", "-c", "test -s /tmp/ra-key.der && od -An -tx1 /tmp/ra-key.der | head -c 200");
        var withoutLogin = await Shell.DockerAsync("exec", _install.Container, "pkcs11-tool", "--module", Module, "--read-object", "--type", "privkey", "--label", "ra-key");
        var listing = await Shell.DockerCheckedAsync("exec", _install.Container, "pkcs11-tool", "--module", Module, "--login", "--pin", ComposeInstall.Pin, "--list-objects", "--type", "privkey");

        // OpenSC refuses to read private keys at all; the token would refuse too (CKA_SENSITIVE, not extractable).
        Assert.Matches("not \\(yet\\) supported|CKR_ATTRIBUTE_SENSITIVE|error", withPin.All);
        Assert.NotEqual(0, written.ExitCode);
        Assert.NotEqual(0, withoutLogin.ExitCode);
        var access = Regex.Match(listing.Output, "Private Key Object.*?Access:\\s*([^\n]*)", RegexOptions.Singleline);
        Assert.True(access.Success, listing.Output);
        Assert.Contains("sensitive", access.Groups[1].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("extractable", access.Groups[1].Value.Replace("never extractable", "", StringComparison.Ordinal), StringComparison.Ordinal);
        foreach (var output in new[] { withPin.All, written.All, withoutLogin.All, listing.All })
        {
            Assert.DoesNotContain(keyBody[..48], output, StringComparison.Ordinal);
            Assert.DoesNotContain(keyHex[..48], output.Replace(" ", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        }
    }

    [DockerFact]
    public async Task Compose_ProductionSettings_NonRootReadOnlyNoCapabilitiesTokenDirWritable()
    {
        var settings = await Shell.DockerCheckedAsync("inspect", "--format",
            "{{.Config.User}}|{{.HostConfig.ReadonlyRootfs}}|{{.HostConfig.CapDrop}}|{{.HostConfig.SecurityOpt}}|{{.HostConfig.RestartPolicy.Name}}|{{len .HostConfig.PortBindings}}", _install.Container);
        var uid = await Shell.DockerCheckedAsync("exec", _install.Container, "id", "-u");
        var imageWrite = await Shell.DockerAsync("exec", _install.Container, "touch", "/opt/authservice/probe");
        var mountWrite = await Shell.DockerAsync("exec", _install.Container, "sh", "-c",
            "touch /opt/alation/site/config/authserver/softhsm/tokens/.probe && rm /opt/alation/site/config/authserver/softhsm/tokens/.probe");

        Assert.Equal("10001:10001|true|[ALL]|[no-new-privileges:true]|unless-stopped|0", settings.Output.Trim());
        Assert.Equal("10001", uid.Output.Trim());
        Assert.NotEqual(0, imageWrite.ExitCode);
        Assert.Contains("Read-only file system", imageWrite.Errors, StringComparison.Ordinal);
        Assert.True(mountWrite.ExitCode == 0, mountWrite.All);
    }

    [DockerFact]
    public async Task Pkcs11Profile_AfterGetSecret_ModuleLoadedInTheServiceProcess()
    {
        // The positive control of the dormancy test: the same check does see SoftHSM once a pkcs11: profile is used.
        var secret = await _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/api-token", "");
        var maps = await Shell.DockerCheckedAsync("exec", _install.Container, "cat", "/proc/1/maps");
        var top = await Shell.DockerCheckedAsync("top", _install.Container, "-o", "pid,args");

        Assert.True(secret.TryGetProperty("value", out _), secret.ToString());
        // /usr/lib/softhsm/libsofthsm2.so is a link into /usr/lib/x86_64-linux-gnu/softhsm/: maps shows the target.
        Assert.Contains("/softhsm/libsofthsm2.so", maps.Output, StringComparison.Ordinal);
        Assert.Contains("/opt/authservice/authservice serve", top.Output, StringComparison.Ordinal);
    }

    [DockerFact]
    public async Task UpgradeInPlace_NewImageVersionOnTheSameMount_TokenAndCredentialsUnchangedSecretServed()
    {
        var tokens = Path.Combine(_install.HostDirectory, "softhsm");
        var aws = Path.Combine(_install.HostDirectory, ".aws");
        var before = (TokenObjects(tokens), Shell.HashTree(aws));
        var slotsBefore = await TokenSerialAsync();
        var oldId = (await Shell.DockerCheckedAsync("inspect", "--format", "{{.Id}}", _install.Container)).Output.Trim();
        var version = _images.Version + "-next";
        var build = await Shell.RunCheckedAsync(Path.Combine(Shell.RepoRoot, "scripts", "docker-build"), [], environment: new Dictionary<string, string> { ["VERSION"] = version, ["TAG_LATEST"] = "0" }, timeout: TimeSpan.FromMinutes(10));
        var tag = Regex.Match(build.Output, "docker-build: (authservice:[A-Za-z0-9_.-]+)").Groups[1].Value;
        _install.TemporaryImages.Add(tag);

        var upgrade = await Shell.BashAsync(_install.Host("upgrade").Replace("authservice:<new-version>", tag, StringComparison.Ordinal), _install.Environment, timeout: TimeSpan.FromMinutes(3));
        await ComposeInstall.WaitHealthyAsync(_install.Container);
        var afterUpgrade = await _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/database", "password");
        var newId = (await Shell.DockerCheckedAsync("inspect", "--format", "{{.Id}}", _install.Container)).Output.Trim();
        var middle = (TokenObjects(tokens), Shell.HashTree(aws));
        await Shell.DockerCheckedAsync("restart", "-t", "35", _install.Container);
        await ComposeInstall.WaitHealthyAsync(_install.Container);
        var afterRestart = await _install.ConnectorGetSecretAsync("auth:50051", "softhsm", "demo/database", "password");
        var after = (TokenObjects(tokens), Shell.HashTree(aws));
        var slotsAfter = await TokenSerialAsync();

        Assert.NotEqual(oldId, newId);
        Assert.Contains(version, upgrade.Output, StringComparison.Ordinal);   // the label and `authservice --version`
        Assert.Equal(2, Regex.Count(upgrade.Output, Regex.Escape(version)));
        // The private key, the certificate and the public key softhsm2-util --import creates with them (plus lock files).
        Assert.Equal(3, before.Item1.Keys.Count(path => path.EndsWith(".object", StringComparison.Ordinal)));
        Assert.Equal(slotsBefore, slotsAfter);
        Assert.Equal(Shell.Describe(before.Item1), Shell.Describe(middle.Item1));
        Assert.Equal(Shell.Describe(before.Item2), Shell.Describe(middle.Item2));
        Assert.Equal(Shell.Describe(before.Item1), Shell.Describe(after.Item1));
        Assert.Equal(Shell.Describe(before.Item2), Shell.Describe(after.Item2));
        Assert.Equal("demo-password", afterUpgrade.GetProperty("value").GetString());
        Assert.Equal("demo-password", afterRestart.GetProperty("value").GetString());
    }

    [DockerFact]
    public async Task DockerStop_DuringASlowGetSecret_CallCompletesThenExitsZero()
    {
        // Secrets Manager answers after 6 s; demo/keystore is read by no other test, so the call is a cache miss.
        const int LatencyMs = 6000;
        await _install.EmulatorAdminAsync("PUT", "/admin/faults", $$"""{"faults":[{"operation":"GetSecretValue","kind":"latency","latencyMs":{{LatencyMs}}}]}""");
        await _install.EmulatorAdminAsync("POST", "/admin/counters/reset");
        try
        {
            var call = _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/keystore", "");
            var inFlight = Stopwatch.StartNew();
            // The operation is counted on arrival, before the injected latency (the per-secret count comes after it).
            while (!(await _install.EmulatorAdminAsync("GET", "/admin/counters")).Contains("\"GetSecretValue\"", StringComparison.Ordinal))
            {
                Assert.True(inFlight.Elapsed < TimeSpan.FromSeconds(60), "the connector's GetSecret never reached Secrets Manager");
                await Task.Delay(100);
            }

            inFlight.Restart();
            await Shell.DockerCheckedAsync("stop", "-t", "35", _install.Container);
            var stopped = inFlight.Elapsed;
            var secret = await call;
            var state = (await Shell.DockerCheckedAsync("inspect", "--format", "{{.State.ExitCode}}", _install.Container)).Output.Trim();
            var refused = await _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/database", "password");

            // The call in flight when SIGTERM came was answered (binary secret: an empty secret_string), not cut off.
            Assert.True(secret.TryGetProperty("value", out _), $"the in-flight call failed: {secret}");
            Assert.False(secret.GetProperty("from_cache").GetBoolean());
            // docker stop waited for it (most of the 6 s were still to go), and the host then exited cleanly.
            Assert.True(stopped > TimeSpan.FromMilliseconds(LatencyMs / 2), $"docker stop returned after {stopped}: nothing was drained");
            Assert.Equal("0", state);
            Assert.Equal("UNAVAILABLE", refused.GetProperty("error").GetString());
        }
        finally
        {
            await _install.EmulatorAdminAsync("DELETE", "/admin/faults");
            await Shell.DockerCheckedAsync("start", _install.Container);
            await ComposeInstall.WaitHealthyAsync(_install.Container);
        }
    }

    /// <summary>
    /// SHA-256 of the token's object files. token.object itself is left out: SoftHSM rewrites it on every login (it
    /// holds the token's flags and PIN counters, with a generation number), so any use of the key changes it; the
    /// token's identity is checked through its serial number instead.
    /// </summary>
    private static SortedDictionary<string, string> TokenObjects(string directory)
    {
        var sums = Shell.HashTree(directory);
        foreach (var key in sums.Keys.Where(path => Path.GetFileName(path) == "token.object").ToList())
        {
            sums.Remove(key);
        }

        return sums;
    }

    private async Task<string> TokenSerialAsync()
    {
        var slots = await Shell.DockerCheckedAsync("exec", _install.Container, "softhsm2-util", "--show-slots");
        var serial = Regex.Match(slots.Output, "Serial number:\\s*(\\S+)\\s*\n\\s*Initialized:\\s*yes[\\s\\S]*?Label:\\s*roles-anywhere");
        Assert.True(serial.Success, slots.Output);
        return serial.Groups[1].Value;
    }
}

namespace AuthService.Container.Tests;

/// <summary>
/// The same host provisioned with the project's own operator CLI instead of softhsm2-util / pkcs11-tool / vi
/// (docs/operations.md, "Provisioning the token with the authservice CLI"): PINs only on stdin, the PKCS#1 key
/// imported as it is (no openssl step), the credentials profile written by the container.
/// </summary>
public sealed class CliInstall : ComposeInstall
{
    public string ListOutput { get; private set; } = "";

    public string TestSignOutput { get; private set; } = "";

    public CommandResult Doctor { get; private set; } = new(-1, "", "");

    protected override async Task ProvisionAsync()
    {
        PrivateKeyPem = await File.ReadAllTextAsync(Path.Combine(KeyDirectory, "client_private.key"));
        var certificate = await File.ReadAllTextAsync(Path.Combine(DemoDirectory, "client.crt"));
        const string TokenDirectory = "/opt/alation/site/config/authserver/softhsm/tokens";

        await Exec(null, "sh", "-c", $"mkdir -p {TokenDirectory} && chmod 700 {TokenDirectory}");
        await Exec($"{SoPin}\n{Pin}\n", "authservice", "token", "init", "--label", "roles-anywhere", "--pins-stdin");
        await Exec($"{Pin}\n{PrivateKeyPem}", "authservice", "token", "import-key", "--token", "roles-anywhere", "--label", "ra-key", "--id", "01", "--pin-stdin");
        await Exec($"{Pin}\n{certificate}", "authservice", "token", "import-cert", "--token", "roles-anywhere", "--label", "ra-cert", "--id", "01", "--pin-stdin");
        ListOutput = (await Exec($"{Pin}\n", "authservice", "token", "list", "--token", "roles-anywhere", "--pin-stdin")).Output;
        TestSignOutput = (await Exec($"{Pin}\n", "authservice", "token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-stdin")).Output;
        ProvisionOutput = (await Exec($"{Pin}\n", "authservice", "credentials", "write", "--profile", "iam_roles_anywhere_profile",
            "--trust-anchor-arn", TrustAnchorArn, "--profile-arn", ProfileArn, "--role-arn", RoleArn, "--region", "us-east-1", "--pin-stdin")).All;
        Doctor = await Shell.RunAsync("docker", ["exec", Container, "authservice", "doctor", "--profile", "iam_roles_anywhere_profile"], timeout: TimeSpan.FromMinutes(2));
    }

    private Task<CommandResult> Exec(string? stdin, params string[] command) =>
        Shell.RunCheckedAsync("docker", ["exec", "-i", Container, .. command], stdin, timeout: TimeSpan.FromMinutes(2));
}

[Collection(DockerTests.Name)]
public sealed class TokenCliContainerTests : IClassFixture<CliInstall>
{
    private readonly CliInstall _install;

    public TokenCliContainerTests(CliInstall install) => _install = install;

    [DockerFact]
    public async Task TokenCli_ProvisionedInTheContainer_PythonConnectorGetsSecret()
    {
        // The service picks up the credentials file the CLI just wrote within its reload interval (2 s): a
        // connector that arrives first gets the error of the moment, so it asks again a few times.
        var secret = await _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/database", "password");
        for (var attempt = 0; attempt < 10 && !secret.TryGetProperty("value", out _); attempt++)
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            secret = await _install.ConnectorGetSecretAsync("unix:/run/authservice/auth.sock", "softhsm", "demo/database", "password");
        }

        var credentials = await File.ReadAllTextAsync(Path.Combine(_install.HostDirectory, ".aws", "credentials"));

        Assert.True(secret.TryGetProperty("value", out var value), $"the connector got an error: {secret}");
        Assert.Equal("demo-password", value.GetString());
        // The reference's single line, written by `authservice credentials write`.
        Assert.Contains("credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate \"pkcs11:token=roles-anywhere;object=ra-cert;id=%01?pin-value=", credentials, StringComparison.Ordinal);
        Assert.Contains($"--role-arn {_install.RoleArn}", credentials, StringComparison.Ordinal);
        Assert.Matches("private-key\\s+ra-key\\s+01\\s+RSA 2048\\s+yes\\s+no", _install.ListOutput);
        Assert.Matches("certificate\\s+ra-cert\\s+01", _install.ListOutput);
        Assert.StartsWith("OK", _install.TestSignOutput.Trim(), StringComparison.Ordinal);
    }

    [DockerFact]
    public void Doctor_AfterCliProvisioning_NoFailedCheckAndNoPin()
    {
        Assert.True(_install.Doctor.ExitCode == 0, _install.Doctor.All);
        Assert.Matches("[1-9][0-9]* ok, [0-9]+ warn, 0 FAIL", _install.Doctor.Output);
        Assert.DoesNotMatch("\\|\\s*FAIL\\s*\\|", _install.Doctor.Output);   // no row FAILed
        foreach (var output in new[] { _install.Doctor.All, _install.ListOutput, _install.TestSignOutput, _install.ProvisionOutput })
        {
            Assert.DoesNotContain(ComposeInstall.Pin, output, StringComparison.Ordinal);
        }
    }
}

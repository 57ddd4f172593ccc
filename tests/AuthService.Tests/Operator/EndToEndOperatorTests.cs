using System.Diagnostics;
using System.Text.Json;
using AuthService.Aws.Credentials;

namespace AuthService.Tests.OperatorCli;

/// <summary>
/// The whole operator path against the AwsEmulator: the demo CA's client key and certificate provisioned with
/// `authservice token`, the profile written by `authservice credentials write` (pin-source), then the written
/// credential_process line run as `authservice credential-process` obtains credentials, and doctor passes.
/// </summary>
[Collection(OperatorTestGroup.Name)]
public sealed class EndToEndOperatorTests : IAsyncLifetime, IDisposable
{
    private readonly OperatorHarness _h = new();
    private Process? _emulator;
    private Uri? _endpoint;

    public async Task InitializeAsync()
    {
        if (!SoftHsmFactAttribute.Available)
        {
            return;
        }

        int port = RunningService.FreePort();
        _endpoint = new Uri($"http://127.0.0.1:{port}");
        _emulator = Processes.StartDotnet("AwsEmulator.dll", new Dictionary<string, string>(), "--demo-dir", Path.Combine(_h.Directory, "emulator"), "--port", port.ToString());
        using var http = new HttpClient();
        await Processes.WaitForAsync(async () => (await http.GetAsync(new Uri(_endpoint, "/healthz"))).IsSuccessStatusCode, _emulator);
    }

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_emulator);
        Dispose();
    }

    public void Dispose() => _h.Dispose();

    [SoftHsmFact]
    public async Task ProvisionWriteProfileDoctor_DemoKeyAndCertificate_WrittenProfileObtainsCredentials()
    {
        string demo = Path.Combine(_h.Directory, "emulator");
        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(demo);
        _h.Environment["AWS_ENDPOINT_URL"] = _endpoint!.ToString();

        await _h.InitTokenAsync();
        var importKey = await _h.RunAsync("token", "import-key", "--token", "roles-anywhere", "--label", "ra-key", "--id", "01", "--file", Path.Combine(demo, "client_private.key"), "--pin-file", _h.PinFile);
        var importCert = await _h.RunAsync("token", "import-cert", "--token", "roles-anywhere", "--label", "ra-cert", "--id", "01", "--file", Path.Combine(demo, "client.crt"), "--pin-file", _h.PinFile);
        var write = await _h.RunAsync("credentials", "write", "--profile", "iam_roles_anywhere_profile", "--trust-anchor-arn", anchor, "--profile-arn", profile, "--role-arn", role,
            "--pin-source", "file:" + _h.PinFile, "--aws-dir", _h.AwsDirectory);
        string line = (await File.ReadAllTextAsync(Path.Combine(_h.AwsDirectory, "credentials"))).Split('\n')[1].Split(" = ", 2)[1];
        var words = ShellWords.Split(line);
        var credentials = await _h.RunAsync(["credential-process", .. words.Skip(2)]);
        var doctor = await _h.RunAsync("doctor", "--aws-dir", _h.AwsDirectory, "--config", Path.Combine(_h.Directory, "none.json"), "--timeout", "2");

        importKey.AssertExit(0);
        importCert.AssertExit(0);
        write.AssertExit(0);
        credentials.AssertExit(0);
        using var json = JsonDocument.Parse(credentials.Output);
        Assert.Equal(1, json.RootElement.GetProperty("Version").GetInt32());
        Assert.StartsWith("ASIA", json.RootElement.GetProperty("AccessKeyId").GetString(), StringComparison.Ordinal);
        doctor.AssertExit(0);
        Assert.Contains(" 0 FAIL", doctor.Output, StringComparison.Ordinal);
    }
}

using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace AuthService.Tests.OperatorCli;

/// <summary>
/// authservice doctor finds each case of the reference troubleshooting section (and permissions, ARNs, endpoints)
/// in a real SoftHSM2 setup provisioned with the CLI. AWS endpoints are a local listener (AWS_ENDPOINT_URL).
/// </summary>
[Collection(OperatorTestGroup.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DoctorTests : IDisposable
{
    private readonly OperatorHarness _h = new();
    private readonly TcpListener _endpoint = new(IPAddress.Loopback, 0);

    public DoctorTests()
    {
        _endpoint.Start();
        _h.Environment["AWS_ENDPOINT_URL"] = $"http://127.0.0.1:{((IPEndPoint)_endpoint.LocalEndpoint).Port}";
    }

    public void Dispose()
    {
        _endpoint.Stop();
        _endpoint.Dispose();
        _h.Dispose();
    }

    private string CredentialsFile => Path.Combine(_h.AwsDirectory, "credentials");

    private async Task<RSA> SetUpAsync(string pinFile, string token = "roles-anywhere", DateTimeOffset? notAfter = null)
    {
        RSA key = await _h.ProvisionAsync(notAfter);
        var write = await _h.RunAsync("credentials", "write", "--profile", "iam_roles_anywhere_profile", "--trust-anchor-arn", CredentialsWriteTests.TrustAnchor,
            "--profile-arn", CredentialsWriteTests.Profile, "--role-arn", CredentialsWriteTests.Role, "--token", token, "--pin-file", pinFile, "--aws-dir", _h.AwsDirectory);
        write.AssertExit(0);
        return key;
    }

    private Task<CliResult> DoctorAsync() =>
        _h.RunAsync("doctor", "--aws-dir", _h.AwsDirectory, "--config", Path.Combine(_h.Directory, "configurations.json"), "--timeout", "2");

    /// <summary>The row whose CHECK ends with <paramref name="check"/>: (status, detail, fix).</summary>
    private static (string Status, string Detail, string Fix) Row(CliResult result, string check)
    {
        string? line = result.Output.Split('\n').FirstOrDefault(l => l.Split(" | ")[0].TrimEnd().EndsWith(check, StringComparison.Ordinal));
        Assert.True(line is not null, $"no '{check}' row in:\n{result.Output}");
        string[] cells = line.Split(" | ");
        return (cells[1].Trim(), cells[2].Trim(), cells.Length > 3 ? cells[3].Trim() : "");
    }

    [SoftHsmFact]
    public async Task Doctor_HealthySetup_Exit0AndEveryRowOk()
    {
        await SetUpAsync(_h.PinFile);

        var doctor = await DoctorAsync();

        doctor.AssertExit(0);
        Assert.Matches(@"^CHECK\s+\| STATUS \| DETAIL\s+\| FIX", doctor.Output);
        foreach (string check in new[] { "softhsm2.conf", "token directory", "module", "token", "PIN", "key", "certificate", "key/cert pair", "ARNs", "endpoint rolesanywhere", "endpoint sts", "endpoint secretsmanager", "permissions credentials" })
        {
            Assert.Equal("ok", Row(doctor, check).Status);
        }

        Assert.Contains("0 warn, 0 FAIL", doctor.Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_TokenDirectoryMissing_FailWithTheMkdirFix()
    {
        await SetUpAsync(_h.PinFile);
        Directory.Move(_h.TokenDirectory, _h.TokenDirectory + ".moved");

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "token directory");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains("CKR_TOKEN_NOT_PRESENT", row.Detail, StringComparison.Ordinal);
        Assert.StartsWith($"mkdir -p {_h.TokenDirectory}", row.Fix, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_WrongPinInProfile_FailPinIncorrectWithoutPrintingAnyPin()
    {
        _h.AddSecret("24681357");
        await SetUpAsync(_h.Write("wrong-pin", "24681357\n"));

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "PIN");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains("CKR_PIN_INCORRECT", row.Detail, StringComparison.Ordinal);
        Assert.Contains("authservice credentials write", row.Fix, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_WrongTokenLabelInProfile_FailListingTheTokensPresent()
    {
        await SetUpAsync(_h.PinFile, token: "roles-anywher");

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "token");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains("PKCS11 token not found", row.Detail, StringComparison.Ordinal);
        Assert.Contains("'roles-anywhere'", row.Detail, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_CertificateMissing_FailWithTheImportFix()
    {
        await SetUpAsync(_h.PinFile);
        (await _h.RunAsync("token", "delete", "--token", "roles-anywhere", "--label", "ra-cert", "--class", "certificate", "--yes", "--pin-file", _h.PinFile)).AssertExit(0);

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "certificate");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains("Certificate not found", row.Detail, StringComparison.Ordinal);
        Assert.StartsWith("authservice token import-cert --token roles-anywhere --label ra-cert --id 01", row.Fix, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_ExpiredCertificateWrittenByPkcs11Tool_FailWithTheRotateFix()
    {
        RSA key = await SetUpAsync(_h.PinFile);
        (await _h.RunAsync("token", "delete", "--token", "roles-anywhere", "--id", "01", "--class", "certificate", "--yes", "--pin-file", _h.PinFile)).AssertExit(0);
        // The reference procedure's own tool does not check validity, so an expired certificate can get in this way.
        string expired = _h.Write("expired.pem", TestPki.SelfSigned(key, "CN=agent-1", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-2)));
        var write = _h.Tool("pkcs11-tool", null, "--module", OperatorHarness.Module, "--token-label", "roles-anywhere", "--login", "--pin", OperatorHarness.Pin,
            "--write-object", expired, "--type", "cert", "--label", "ra-cert", "--id", "01");
        Assert.True(write.Exit == 0, write.Errors);

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "] certificate");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains("expired on", row.Detail, StringComparison.Ordinal);
        Assert.Contains("authservice token rotate-cert --token roles-anywhere --id 01", row.Fix, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_CertificateExpiresWithin30Days_WarnButExit0()
    {
        await SetUpAsync(_h.PinFile, notAfter: DateTimeOffset.UtcNow.AddDays(10));

        var doctor = await DoctorAsync();

        doctor.AssertExit(0);
        var row = Row(doctor, "] certificate");
        Assert.Equal("warn", row.Status);
        Assert.Contains("expires in", row.Detail, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_CredentialsWorldReadableAndWritable_WarnWithChmodFix()
    {
        await SetUpAsync(_h.PinFile);
        File.SetUnixFileMode(CredentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

        var doctor = await DoctorAsync();

        var row = Row(doctor, "permissions credentials");
        Assert.Equal("warn", row.Status);
        Assert.Contains("666", row.Detail, StringComparison.Ordinal);
        Assert.Equal($"chmod 640 {CredentialsFile}", row.Fix);
        doctor.AssertExit(0);
    }

    [SoftHsmFact]
    public async Task Doctor_BadTrustAnchorArn_FailArns()
    {
        await SetUpAsync(_h.PinFile);
        string text = await File.ReadAllTextAsync(CredentialsFile);
        await File.WriteAllTextAsync(CredentialsFile, text.Replace(CredentialsWriteTests.TrustAnchor, "arn:aws:rolesanywhere:us-east-1:248135293344:trust-anchor/not-a-uuid", StringComparison.Ordinal));

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "ARNs");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains("not-a-uuid", row.Detail, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Doctor_EndpointUnreachable_FailNamingHostAndPort()
    {
        await SetUpAsync(_h.PinFile);
        int closed = ((IPEndPoint)_endpoint.LocalEndpoint).Port;
        _endpoint.Stop();

        var doctor = await DoctorAsync();

        doctor.AssertExit(1);
        var row = Row(doctor, "endpoint rolesanywhere");
        Assert.Equal("FAIL", row.Status);
        Assert.Contains($"127.0.0.1:{closed}", row.Detail, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using System.Globalization;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;

namespace AuthService.Tests;

/// <summary>
/// The Alation SoftHSM setup procedure (Step 1 and the credentials profile; see docs/status.md), run word for word
/// with the real tools against a fresh SoftHSM2 token directory: softhsm2-util --init-token and --import from stdin,
/// pkcs11-tool --write-object for the certificate, and the single-line credentials profile with pkcs11: URIs.
/// The real service then reads secrets from the real AwsEmulator, signing CreateSession inside the token.
/// </summary>
public sealed class ReferenceProcedureService : IAsyncLifetime
{
    public const string Pin = "731946";
    public const string WrongPin = "86420975";
    private const string Module = SoftHsmProcedure.Module;
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("authservice-ref-").FullName;
    private Process? _emulator;
    private Process? _service;

    public string Tcp { get; private set; } = "";

    public string Directory => _directory;

    /// <summary>Everything the service wrote to stdout and stderr so far (its logs).</summary>
    public string Logs
    {
        get
        {
            lock (_logs)
            {
                return _logs.ToString();
            }
        }
    }

    /// <summary>The demo private key as PEM (to prove it never appears anywhere).</summary>
    public string PrivateKeyPem { get; private set; } = "";

    private readonly System.Text.StringBuilder _logs = new();

    public async Task InitializeAsync()
    {
        if (!SoftHsmFactAttribute.Available)
        {
            return;
        }

        var softhsm = SoftHsmProcedure.Create(_directory);
        var environment = softhsm.Environment;

        var demo = Path.Combine(_directory, "emulator");
        (_emulator, var emulator) = await Processes.StartEmulatorAsync(demo);

        // Step 1 of the procedure, as written (the demo key is already PKCS#8, so no conversion).
        await softhsm.InitTokenAsync("roles-anywhere", "5678", Pin);
        PrivateKeyPem = await File.ReadAllTextAsync(Path.Combine(demo, "client_private.key"));
        await softhsm.ImportKeyAsync("roles-anywhere", Pin, PrivateKeyPem, "ra-key", "01", force: true);
        await softhsm.WriteCertificateAsync(null, Pin, await File.ReadAllTextAsync(Path.Combine(demo, "client.crt")), "ra-cert", "01");

        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(demo);
        // A certificate URI that misses on the label still finds the object by id (as aws_signing_helper does), so
        // the missing-certificate case misses on both.
        string Line(string pin, string token, string certificate = "ra-cert;id=%01") =>
            $"credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate \"pkcs11:token={token};object={certificate}?pin-value={pin}\" --private-key \"pkcs11:token={token};object=ra-key;id=%01?pin-value={pin}\" --pkcs11-lib {Module} --trust-anchor-arn {anchor} --profile-arn {profile} --role-arn {role}";
        var aws = System.IO.Directory.CreateDirectory(Path.Combine(_directory, ".aws")).FullName;
        await File.WriteAllTextAsync(Path.Combine(aws, "credentials"), $"""
            [iam_roles_anywhere_profile]
            {Line(Pin, "roles-anywhere")}

            [wrong_pin]
            {Line(WrongPin, "roles-anywhere")}

            [wrong_token]
            {Line(Pin, "no-such-token")}

            [missing_cert]
            {Line(Pin, "roles-anywhere", "no-such-cert;id=%09")}
            """);
        await File.WriteAllTextAsync(Path.Combine(aws, "config"), "");
        await File.WriteAllTextAsync(Path.Combine(_directory, "configurations.json"), $$"""
            { "configurations": [
              { "name": "softhsm", "region": "us-east-1", "endpointUrl": "{{emulator}}", "auth": { "type": "profile", "profile": "iam_roles_anywhere_profile" } },
              { "name": "wrong-pin", "region": "us-east-1", "endpointUrl": "{{emulator}}", "auth": { "type": "profile", "profile": "wrong_pin" } },
              { "name": "wrong-token", "region": "us-east-1", "endpointUrl": "{{emulator}}", "auth": { "type": "profile", "profile": "wrong_token" } },
              { "name": "missing-cert", "region": "us-east-1", "endpointUrl": "{{emulator}}", "auth": { "type": "profile", "profile": "missing_cert" } }
            ] }
            """);

        (_service, Tcp) = await Processes.StartServiceAsync(new Dictionary<string, string>(environment)
        {
            ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "configurations.json"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(aws, "credentials"),
            ["AWS_CONFIG_FILE"] = Path.Combine(aws, "config"),
            ["AWS_ENDPOINT_URL_ROLESANYWHERE"] = emulator.ToString(),
        }, Append);
    }

    private void Append(string? line)
    {
        lock (_logs)
        {
            _logs.AppendLine(line);
        }
    }

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_service);
        await Processes.StopAsync(_emulator);
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}

public sealed class ReferenceProcedureTests : IClassFixture<ReferenceProcedureService>
{
    private readonly ReferenceProcedureService _service;

    public ReferenceProcedureTests(ReferenceProcedureService service) => _service = service;

    private async Task<GetSecretResponse> GetAsync(string configuration, string secret, string? jsonKey = null)
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        var request = new GetSecretRequest { Configuration = configuration, SecretId = secret };
        if (jsonKey is not null)
        {
            request.JsonKey = jsonKey;
        }

        return await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"), request, new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
    }

    [SoftHsmFact]
    public async Task GetSecret_TokenProvisionedByReferenceProcedure_ValueThroughRolesAnywhere()
    {
        var response = await GetAsync("softhsm", "demo/database", "password");

        Assert.Equal("demo-password", response.SecretString);
    }

    [SoftHsmFact]
    public async Task PythonAndNodeConnectors_TokenProvisionedByReferenceProcedure_GetTheSecret()
    {
        if (!PythonGrpcFactAttribute.IsAvailable || !Directory.Exists(Connectors.RepoPath("tests/interop/node/node_modules/@grpc/grpc-js")))
        {
            Assert.Fail("Python grpcio or the Node gRPC client is missing although SoftHSM2 is installed: run scripts/install-test-deps");
        }

        var python = await Connectors.PythonGetSecretAsync(_service.Tcp, _service.Directory, "softhsm", "demo/database", "password");
        var node = await Connectors.NodeGetSecretAsync(_service.Tcp, "softhsm", "demo/database", "username");

        Assert.Equal("demo-password", python.GetProperty("value").GetString());
        Assert.Equal("demo", node.GetProperty("value").GetString());
    }

    [SoftHsmFact]
    public async Task EveryRpc_SuccessAndErrorPaths_NoPinKeyOrCredentialInAnyResponseOrLog()
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        var seen = new System.Text.StringBuilder();
        async Task Record(Func<Task<Google.Protobuf.IMessage>> call)
        {
            try
            {
                seen.AppendLine((await call()).ToString());
            }
            catch (GrpcException exception)
            {
                seen.AppendLine(exception.Message).AppendLine(string.Join(";", exception.Trailers.Values));
            }
        }

        foreach (var configuration in new[] { "softhsm", "wrong-pin", "wrong-token", "missing-cert" })
        {
            await Record(async () => await GetAsync(configuration, "demo/database", "password"));
            await Record(async () => await GetAsync(configuration, "demo/absent"));
            var batch = new BatchGetSecretsRequest();
            batch.Requests.Add(new GetSecretRequest { Configuration = configuration, SecretId = "demo/api-token" });
            await Record(async () => await client.UnaryAsync<BatchGetSecretsRequest, BatchGetSecretsResponse>(SecretsGrpcService.Method("BatchGetSecrets"), batch));
        }

        await Record(async () => await client.UnaryAsync<ListConfigurationsRequest, ListConfigurationsResponse>(
            AuthService.Configuration.ConfigurationGrpcService.Method("ListConfigurations"), new ListConfigurationsRequest()));
        foreach (var profile in new[] { "iam_roles_anywhere_profile", "wrong_pin" })
        {
            var test = new TestConfigurationRequest
            {
                Configuration = new Api.V1.Configuration { Name = "probe", Region = "us-east-1", Profile = new ProfileAuth { Profile = profile } },
            };
            await Record(async () => await client.UnaryAsync<TestConfigurationRequest, TestConfigurationResponse>(AuthService.Configuration.ConfigurationGrpcService.Method("TestConfiguration"), test));
        }

        var responses = seen.ToString();
        var logs = _service.Logs;
        var keyBody = string.Concat(_service.PrivateKeyPem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal)).Select(l => l.Trim()));
        var keyDer = Convert.FromBase64String(keyBody);
        foreach (var (name, text) in new[] { ("responses", responses), ("logs", logs) })
        {
            Assert.DoesNotContain(ReferenceProcedureService.Pin, text, StringComparison.Ordinal);
            Assert.DoesNotContain(ReferenceProcedureService.WrongPin, text, StringComparison.Ordinal);
            Assert.DoesNotContain(keyBody[..64], text, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(keyDer)[..64], text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
            // Temporary credentials the emulator issued (ASIA... key ids, their secret keys and tokens) never surface.
            Assert.False(System.Text.RegularExpressions.Regex.IsMatch(text, "ASIA[A-Z0-9]{16}"), $"an access key id appears in the {name}");
            Assert.DoesNotContain("SessionToken", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain("demo-password", logs, StringComparison.Ordinal);
        Assert.Contains("demo-password", responses, StringComparison.Ordinal);   // GetSecret's own value is the one exception
        Assert.Contains("\"EventId\":4000", logs, StringComparison.Ordinal);     // the audit event was written
    }

    [SoftHsmFact]
    public async Task HealthCli_ConfigurationWithWrongPin_NotReadyButAlive()
    {
        (int ExitCode, string Output, string Errors) readiness = default;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            readiness = await Cli.RunAsync("health", "--address", $"http://{_service.Tcp}", "--service", "authservice.v1.SecretsService");
            if (readiness.Output.Contains("NOT_SERVING", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(100);
        }

        var liveness = await Cli.RunAsync("health", "--address", $"http://{_service.Tcp}");

        Assert.Equal(1, readiness.ExitCode);
        Assert.Equal("NOT_SERVING", readiness.Output?.Trim());
        Assert.Equal(0, liveness.ExitCode);
        Assert.Contains("CKR_PIN_INCORRECT", _service.Logs, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task GetSecret_WrongPinInProfile_FailedPreconditionNamingTheFixWithoutThePin()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync("wrong-pin", "demo/database"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("CKR_PIN_INCORRECT", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReferenceProcedureService.WrongPin, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReferenceProcedureService.Pin + "\"", error.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task GetSecret_CertificateLabelNotFound_FailedPreconditionListingWhatIsThere()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync("missing-cert", "demo/database"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("no-such-cert", error.Message, StringComparison.Ordinal);
        Assert.Contains("ra-cert", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(ReferenceProcedureService.Pin, error.Message, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task GetSecret_TokenLabelNotFound_FailedPreconditionListingLabels()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync("wrong-token", "demo/database"));

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Contains("no-such-token", error.Message, StringComparison.Ordinal);
        Assert.Contains("roles-anywhere", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Skips, saying why, when SoftHSM2 or OpenSC's pkcs11-tool is not installed.</summary>
public sealed class SoftHsmFactAttribute : FactAttribute
{
    public static bool Available => File.Exists("/usr/lib/softhsm/libsofthsm2.so") && File.Exists("/usr/bin/softhsm2-util") && File.Exists("/usr/bin/pkcs11-tool");

    public SoftHsmFactAttribute()
    {
        if (!Available)
        {
            Skip = "SoftHSM2 or OpenSC is not installed (softhsm2, opensc): run scripts/install-test-deps";
        }
    }
}

/// <summary>Child processes of the end-to-end tests: the service, the emulator and the operator tools.</summary>
internal static class Processes
{
    /// <summary>`dotnet ASSEMBLY ARGS` with stdout and stderr redirected and the given environment.</summary>
    public static ProcessStartInfo DotnetStartInfo(string assembly, IReadOnlyDictionary<string, string> environment, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    /// <summary>A long-running process (service, emulator) whose stdout is drained so it never blocks on a full pipe.</summary>
    public static Process StartDotnet(string assembly, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var process = Process.Start(DotnetStartInfo(assembly, environment, arguments))!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>The AwsEmulator with its demo seed in <paramref name="demoDirectory"/>, on a free port, once /healthz answers.</summary>
    public static async Task<(Process Process, Uri Endpoint)> StartEmulatorAsync(string demoDirectory)
    {
        var port = RunningService.FreePort();
        var endpoint = new Uri($"http://127.0.0.1:{port}");
        var process = StartDotnet("AwsEmulator.dll", new Dictionary<string, string>(), "--demo-dir", demoDirectory, "--port", port.ToString(CultureInfo.InvariantCulture));
        using var http = new HttpClient();
        await WaitForAsync(async () => (await http.GetAsync(new Uri(endpoint, "/healthz"))).IsSuccessStatusCode, process);
        return (process, endpoint);
    }

    /// <summary>`authservice serve` on a free loopback port, every log line passed to <paramref name="log"/>, once healthy.</summary>
    public static async Task<(Process Process, string Tcp)> StartServiceAsync(IReadOnlyDictionary<string, string> environment, Action<string?> log)
    {
        var tcp = $"127.0.0.1:{RunningService.FreePort()}";
        var process = Process.Start(DotnetStartInfo("authservice.dll", environment, ["serve", "--tcp", tcp]))!;
        process.OutputDataReceived += (_, line) => log(line.Data);
        process.ErrorDataReceived += (_, line) => log(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitForAsync(async () => (await Cli.RunAsync("health", "--address", $"http://{tcp}", "--timeout", "1")).ExitCode == 0, process);
        return (process, tcp);
    }

    public static async Task RunAsync(string program, IReadOnlyDictionary<string, string> environment, string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {arguments[0]} failed ({process.ExitCode}): {await output} {await errors}");
    }

    public static async Task WaitForAsync(Func<Task<bool>> ready, Process process)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (process.HasExited)
            {
                // A caller that already reads stderr line by line has the reason in its log; otherwise read it here.
                string errors;
                try
                {
                    errors = await process.StandardError.ReadToEndAsync();
                }
                catch (InvalidOperationException)
                {
                    errors = "(stderr went to the fixture's log)";
                }

                throw new InvalidOperationException($"{process.StartInfo.ArgumentList[0]} exited with code {process.ExitCode}: {errors}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{process.StartInfo.ArgumentList[0]} did not become ready");
    }

    public static async Task StopAsync(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
    }
}

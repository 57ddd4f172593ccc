using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;

namespace AuthService.Tests;

/// <summary>
/// The real service and the real AwsEmulator, each its own process: configurations on a mounted-style
/// directory, a static-keys profile and Roles Anywhere with the emulator's demo certificate, secrets read
/// through the project's client. The emulator verifies every signature, so these calls prove the signing too.
/// </summary>
public sealed class EndToEndService : IAsyncLifetime
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("authservice-e2e-").FullName;
    private Process? _emulator;
    private Process? _service;

    public string Tcp { get; private set; } = "";

    public Uri Emulator { get; private set; } = null!;

    public string Directory => _directory;

    /// <summary>The emulator's demo folder: seed.json, ca.pem, client.crt, client_private.key.</summary>
    public string Demo => Path.Combine(_directory, "emulator");

    public async Task InitializeAsync()
    {
        var emulatorPort = RunningService.FreePort();
        Emulator = new Uri($"http://127.0.0.1:{emulatorPort}");
        var demo = Path.Combine(_directory, "emulator");
        _emulator = Processes.StartDotnet("AwsEmulator.dll", new Dictionary<string, string>(), "--demo-dir", demo, "--port", emulatorPort.ToString());
        using var http = new HttpClient();
        await Processes.WaitForAsync(async () => (await http.GetAsync(new Uri(Emulator, "/healthz"))).IsSuccessStatusCode, _emulator);

        var seed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(demo, "seed.json"))).RootElement;
        var user = seed.GetProperty("users")[0];
        var (anchor, profile, role) = await RolesAnywhereArnsAsync(demo);

        var aws = System.IO.Directory.CreateDirectory(Path.Combine(_directory, ".aws")).FullName;
        await File.WriteAllTextAsync(Path.Combine(aws, "credentials"), $"""
            [demo]
            aws_access_key_id = {user.GetProperty("accessKeyId").GetString()}
            aws_secret_access_key = {user.GetProperty("secretAccessKey").GetString()}
            """);
        // The reference procedure's single-line profile, with file keys instead of token URIs: run in-process.
        await File.AppendAllTextAsync(Path.Combine(aws, "credentials"), $"""

            [ra-helper]
            credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate {Path.Combine(demo, "client.crt")} --private-key {Path.Combine(demo, "client_private.key")} --trust-anchor-arn {anchor} --profile-arn {profile} --role-arn {role}
            """);
        await File.WriteAllTextAsync(Path.Combine(aws, "config"), "");
        await File.WriteAllTextAsync(Path.Combine(_directory, "configurations.json"), $$"""
            { "configurations": [
              { "name": "static", "region": "us-east-1", "endpointUrl": "{{Emulator}}",
                "auth": { "type": "static-keys", "profile": "demo" } },
              { "name": "ra-files", "region": "us-east-1", "endpointUrl": "{{Emulator}}",
                "auth": { "type": "roles-anywhere", "certificate": "{{Path.Combine(demo, "client.crt")}}", "privateKey": "{{Path.Combine(demo, "client_private.key")}}",
                          "trustAnchorArn": "{{anchor}}", "profileArn": "{{profile}}", "roleArn": "{{role}}" } },
              { "name": "ra-profile", "region": "us-east-1", "endpointUrl": "{{Emulator}}",
                "auth": { "type": "profile", "profile": "ra-helper" } },
              { "name": "short-ttl", "region": "us-east-1", "endpointUrl": "{{Emulator}}",
                "auth": { "type": "static-keys", "profile": "demo" }, "cache": { "ttlSeconds": 1 } }
            ] }
            """);

        Tcp = $"127.0.0.1:{RunningService.FreePort()}";
        _service = Processes.StartDotnet(
            "authservice.dll",
            new Dictionary<string, string>
            {
                ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "configurations.json"),
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(aws, "credentials"),
                ["AWS_CONFIG_FILE"] = Path.Combine(aws, "config"),
                // Roles Anywhere goes to the emulator too (the signing helper's --endpoint, as an environment override).
                ["AWS_ENDPOINT_URL_ROLESANYWHERE"] = Emulator.ToString(),
            },
            "serve", "--tcp", Tcp);
        await Processes.WaitForAsync(async () => (await Cli.RunAsync("health", "--address", $"http://{Tcp}", "--timeout", "1")).ExitCode == 0, _service);
    }

    /// <summary>The trust anchor, profile and role ARNs of the emulator's demo seed.</summary>
    public static async Task<(string Anchor, string Profile, string Role)> RolesAnywhereArnsAsync(string demo)
    {
        var seed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(demo, "seed.json"))).RootElement;
        var account = seed.GetProperty("accountId").GetString();
        var region = seed.GetProperty("region").GetString();
        return (
            $"arn:aws:rolesanywhere:{region}:{account}:trust-anchor/{seed.GetProperty("trustAnchors")[0].GetProperty("id").GetString()}",
            $"arn:aws:rolesanywhere:{region}:{account}:profile/{seed.GetProperty("profiles")[0].GetProperty("id").GetString()}",
            seed.GetProperty("profiles")[0].GetProperty("roleArns")[0].GetString()!);
    }

    public async Task<int> EmulatorCountAsync(string secret, string operation)
    {
        using var http = new HttpClient();
        var counters = await http.GetFromJsonAsync<JsonElement>(new Uri(Emulator, "/admin/counters"));
        return counters.GetProperty("secrets").TryGetProperty(secret, out var perSecret) && perSecret.TryGetProperty(operation, out var count)
            ? count.GetInt32()
            : 0;
    }

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_service);
        await Processes.StopAsync(_emulator);

        System.IO.Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Whether Debian's /usr/bin/python3 can import a module (asked once per module).</summary>
internal static class PythonModules
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Known = new(StringComparer.Ordinal);

    public static bool Has(string module) => Known.GetOrAdd(module, static name =>
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("/usr/bin/python3", ["-c", "import " + name]) { RedirectStandardError = true })!;
            return probe.WaitForExit(30_000) && probe.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });
}

/// <summary>Skips, saying why, when Debian's python3-grpcio is not installed.</summary>
public sealed class PythonGrpcFactAttribute : FactAttribute
{
    public static bool IsAvailable => PythonModules.Has("grpc");

    public PythonGrpcFactAttribute()
    {
        if (!IsAvailable)
        {
            Skip = "Python grpcio is not installed (/usr/bin/python3 with python3-grpcio): run scripts/install-test-deps";
        }
    }
}

/// <summary>Skips, saying why, when Debian's python3-botocore (a real AWS SDK) is not installed.</summary>
public sealed class BotocoreFactAttribute : FactAttribute
{
    public BotocoreFactAttribute()
    {
        if (!PythonModules.Has("botocore"))
        {
            Skip = "botocore is not installed (/usr/bin/python3 with python3-botocore): run scripts/install-test-deps";
        }
    }
}

/// <summary>Skips, saying why, when node or the npm packages of tests/interop/node are missing.</summary>
public sealed class NodeGrpcFactAttribute : FactAttribute
{
    public NodeGrpcFactAttribute()
    {
        if (!Directory.Exists(Connectors.RepoPath("tests/interop/node/node_modules/@grpc/grpc-js")))
        {
            Skip = "Node gRPC client missing (tests/interop/node/node_modules): run scripts/install-test-deps";
        }
    }
}

/// <summary>Connectors from other ecosystems (tests/interop): Python grpcio and Node grpc-js calling GetSecret.</summary>
internal static class Connectors
{
    public static string RepoPath(string relative)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AuthService.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("AuthService.sln not found above the test directory"), relative);
    }

    public static async Task<JsonElement> PythonGetSecretAsync(string tcp, string workDirectory, string configuration, string secretId, string? jsonKey = null)
    {
        var descriptors = Path.Combine(workDirectory, "api.pb");
        var set = new Google.Protobuf.Reflection.FileDescriptorSet();
        foreach (var file in new[] { Google.Protobuf.WellKnownTypes.DurationReflection.Descriptor, Google.Protobuf.WellKnownTypes.TimestampReflection.Descriptor, SecretsReflection.Descriptor })
        {
            set.File.Add(Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(file.SerializedData));
        }

        await File.WriteAllBytesAsync(descriptors, Google.Protobuf.MessageExtensions.ToByteArray(set));
        return await RunAsync("/usr/bin/python3", [RepoPath("tests/interop/python/get_secret.py"), tcp, descriptors, configuration, secretId, .. (jsonKey is null ? Array.Empty<string>() : [jsonKey])]);
    }

    public static Task<JsonElement> NodeGetSecretAsync(string tcp, string configuration, string secretId, string? jsonKey = null) =>
        RunAsync("node", [RepoPath("tests/interop/node/get_secret.js"), tcp, RepoPath("protos"), configuration, secretId, .. (jsonKey is null ? Array.Empty<string>() : [jsonKey])]);

    private static async Task<JsonElement> RunAsync(string program, string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} failed: {await errors}");
        return JsonDocument.Parse(await output).RootElement;
    }
}

/// <summary>
/// Rotation in the secret store, with a fixture of its own (its own emulator and service), so rotating a demo
/// secret cannot disturb other tests.
/// </summary>
public sealed class SecretRotationTests : IClassFixture<EndToEndService>
{
    private readonly EndToEndService _service;

    public SecretRotationTests(EndToEndService service) => _service = service;

    [BotocoreFact]
    public async Task GetSecret_RotatedInTheStore_NewValueServedWithinTheTtl()
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        var request = new GetSecretRequest { Configuration = "short-ttl", SecretId = "demo/api-token" };
        var before = await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"), request);

        // Rotate with a real AWS SDK (botocore), signed with the demo user's keys.
        var seed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_service.Demo, "seed.json"))).RootElement.GetProperty("users")[0];
        var script = """
            import sys, botocore.session
            endpoint, key, secret = sys.stdin.read().split()
            client = botocore.session.get_session().create_client("secretsmanager", region_name="us-east-1", endpoint_url=endpoint,
                aws_access_key_id=key, aws_secret_access_key=secret)
            client.put_secret_value(SecretId="demo/api-token", SecretString="token-v3")
            """;
        var start = new ProcessStartInfo("/usr/bin/python3", ["-c", script]) { RedirectStandardInput = true, RedirectStandardError = true };
        using (var python = Process.Start(start)!)
        {
            await python.StandardInput.WriteAsync($"{_service.Emulator} {seed.GetProperty("accessKeyId").GetString()} {seed.GetProperty("secretAccessKey").GetString()}");
            python.StandardInput.Close();
            await python.WaitForExitAsync();
            Assert.True(python.ExitCode == 0, await python.StandardError.ReadToEndAsync());
        }

        GetSecretResponse after = before;
        for (var attempt = 0; attempt < 50 && after.SecretString != "token-v3"; attempt++)
        {
            await Task.Delay(100);
            after = await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"), request);
        }

        Assert.Equal("token-v2", before.SecretString);
        Assert.Equal("token-v3", after.SecretString);
        Assert.NotEqual(before.VersionId, after.VersionId);
    }
}

public sealed class EndToEndTests : IClassFixture<EndToEndService>
{
    private readonly EndToEndService _service;

    public EndToEndTests(EndToEndService service) => _service = service;

    private async Task<GetSecretResponse> GetAsync(GetSecretRequest request)
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        return await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"), request, new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
    }

    [Theory]
    [InlineData("static")]
    [InlineData("ra-files")]
    [InlineData("ra-profile")]
    public async Task GetSecret_JsonKey_ValueFromEmulator(string configuration)
    {
        var response = await GetAsync(new GetSecretRequest { Configuration = configuration, SecretId = "demo/database", JsonKey = "username" });

        Assert.Equal("demo", response.SecretString);
        Assert.Equal("demo/database", response.Name);
        Assert.StartsWith("arn:aws:secretsmanager:us-east-1:", response.Arn, StringComparison.Ordinal);
        Assert.Contains("AWSCURRENT", response.VersionStages);
    }

    [Fact]
    public async Task GetSecret_Twice_SecondFromCacheAndOneAwsCall()
    {
        // ra-profile reads this secret nowhere else, so its first read is a miss; the difference is what it cost.
        var before = await _service.EmulatorCountAsync("demo/api-token", "GetSecretValue");
        var first = await GetAsync(new GetSecretRequest { Configuration = "ra-profile", SecretId = "demo/api-token" });
        var second = await GetAsync(new GetSecretRequest { Configuration = "ra-profile", SecretId = first.Arn });

        Assert.Equal("token-v2", second.SecretString);
        Assert.False(first.Cache.ServedFromCache);
        Assert.True(second.Cache.ServedFromCache);
        Assert.Equal(before + 1, await _service.EmulatorCountAsync("demo/api-token", "GetSecretValue"));
    }

    [Fact]
    public async Task GetSecret_PreviousStage_OlderVersion()
    {
        var response = await GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/api-token", VersionStage = "AWSPREVIOUS" });

        Assert.Equal("token-v1", response.SecretString);
    }

    [Fact]
    public async Task GetSecret_Binary_Bytes()
    {
        var response = await GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/keystore" });

        Assert.Equal(GetSecretResponse.ValueOneofCase.SecretBinary, response.ValueCase);
        Assert.Equal(Convert.FromBase64String("AAECA/7/"), response.SecretBinary.ToByteArray());
    }

    [Fact]
    public async Task GetSecret_Missing_NotFound()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/nope" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task GetSecret_RoleMayNotRead_PermissionDenied()
    {
        // The Roles Anywhere role reads demo/* only; ask for a name outside it.
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(new GetSecretRequest { Configuration = "ra-files", SecretId = "other/secret" }));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("not authorized", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_UnknownConfiguration_InvalidArgumentListingKnown()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(new GetSecretRequest { Configuration = "nope", SecretId = "demo/database" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("ra-files, ra-profile, short-ttl, static", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_JsonKeyMissing_NotFoundListingKeysNotValues()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/database", JsonKey = "host" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("username, password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-password", error.Message, StringComparison.Ordinal);
    }

    [PythonGrpcFact]
    public async Task PythonGrpcio_GetSecret_ValueAndNotFound()
    {
        var value = await Connectors.PythonGetSecretAsync(_service.Tcp, _service.Directory, "static", "demo/database", "password");
        var missing = await Connectors.PythonGetSecretAsync(_service.Tcp, _service.Directory, "static", "demo/absent");

        Assert.Equal("demo-password", value.GetProperty("value").GetString());
        Assert.Equal("NOT_FOUND", missing.GetProperty("error").GetString());
    }

    [NodeGrpcFact]
    public async Task NodeGrpcJs_GetSecret_ValueAndNotFound()
    {
        var value = await Connectors.NodeGetSecretAsync(_service.Tcp, "static", "demo/database", "username");
        var missing = await Connectors.NodeGetSecretAsync(_service.Tcp, "static", "demo/absent");

        Assert.Equal("demo", value.GetProperty("value").GetString());
        Assert.Equal("NOT_FOUND", missing.GetProperty("error").GetString());
    }

    [Fact]
    public async Task ConfigTestCli_GoodProfile_EveryStepPassesNothingSaved()
    {
        var result = await Cli.RunAsync(
            "config", "test", "--address", $"http://{_service.Tcp}", "--name", "trial", "--region", "us-east-1",
            "--auth-type", "static-keys", "--profile", "demo", "--endpoint-url", _service.Emulator.ToString(), "--probe-secret", "demo/database");

        Assert.True(result.ExitCode == 0, result.Output + result.Errors);
        Assert.Contains("PASSED   credentials", result.Output, StringComparison.Ordinal);
        Assert.Contains("PASSED   sts:GetCallerIdentity: caller is arn:aws:iam::", result.Output, StringComparison.Ordinal);
        Assert.Contains("PASSED   secretsmanager:DescribeSecret", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-password", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigAddCli_MissingProfile_FailsAtCredentialsAndSavesNothing()
    {
        var file = Path.Combine(_service.Directory, "configurations.json");
        var before = await File.ReadAllTextAsync(file);

        var result = await Cli.RunAsync(
            "config", "add", "--address", $"http://{_service.Tcp}", "--file", file, "--name", "broken", "--region", "us-east-1",
            "--profile", "no-such-profile", "--endpoint-url", _service.Emulator.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("FAILED   credentials", result.Output, StringComparison.Ordinal);
        Assert.Contains("no-such-profile", result.Output, StringComparison.Ordinal);
        Assert.Contains("SKIPPED  sts:GetCallerIdentity", result.Output, StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task ConfigAddCli_GoodConfiguration_ReturnsOnceTheServiceServesItWithoutRestart()
    {
        var file = Path.Combine(_service.Directory, "configurations.json");

        var result = await Cli.RunAsync(
            "config", "add", "--address", $"http://{_service.Tcp}", "--file", file, "--name", "added", "--region", "us-east-1",
            "--auth-type", "static-keys", "--profile", "demo", "--endpoint-url", _service.Emulator.ToString());
        Assert.True(result.ExitCode == 0, result.Output + result.Errors);

        // At once: `config add` returns only when the service serves what it saved (the service polls the file).
        var response = await GetAsync(new GetSecretRequest { Configuration = "added", SecretId = "demo/database", JsonKey = "username" });

        Assert.Contains("Saved configuration 'added'", result.Output, StringComparison.Ordinal);
        Assert.Contains("the service serves it", result.Output, StringComparison.Ordinal);
        Assert.Equal("demo", response.SecretString);
        var list = await Cli.RunAsync("config", "list", "--address", $"http://{_service.Tcp}");
        Assert.Contains("added\tus-east-1\tStaticKeys", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigAddCli_FileTheServiceDoesNotRead_SavedButExit1NamingTheSetting()
    {
        var elsewhere = Path.Combine(_service.Directory, "not-the-service-file.json");

        var result = await Cli.RunAsync(
            "config", "add", "--address", $"http://{_service.Tcp}", "--file", elsewhere, "--name", "orphan", "--region", "us-east-1",
            "--auth-type", "static-keys", "--profile", "demo", "--endpoint-url", _service.Emulator.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not serve it after 10 s", result.Errors, StringComparison.Ordinal);
        Assert.Contains("AUTHSERVICE_Configuration__File", result.Errors, StringComparison.Ordinal);
        Assert.Contains("\"orphan\"", await File.ReadAllTextAsync(elsewhere), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CredentialProcessCli_FileKeys_HelperJsonWithoutTrailingNewline()
    {
        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(_service.Demo);

        var result = await Cli.RunAsync(
            "credential-process", "--certificate", Path.Combine(_service.Demo, "client.crt"), "--private-key", Path.Combine(_service.Demo, "client_private.key"),
            "--trust-anchor-arn", anchor, "--profile-arn", profile, "--role-arn", role, "--endpoint", _service.Emulator.ToString());

        Assert.True(result.ExitCode == 0, result.Errors);
        Assert.StartsWith("{\"Version\":1,\"AccessKeyId\":\"ASIA", result.Output, StringComparison.Ordinal);
        Assert.EndsWith("}", result.Output, StringComparison.Ordinal);
        var json = JsonDocument.Parse(result.Output).RootElement;
        Assert.Equal(["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("", result.Errors);
    }

    [Fact]
    public async Task CredentialProcessCli_MissingKeyFile_ExitOneMessageOnStderrNothingOnStdout()
    {
        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(_service.Demo);

        var result = await Cli.RunAsync(
            "credential-process", "--certificate", Path.Combine(_service.Demo, "client.crt"), "--private-key", "/nonexistent/key.pem",
            "--trust-anchor-arn", anchor, "--profile-arn", profile, "--role-arn", role, "--endpoint", _service.Emulator.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.Output);
        Assert.Contains("/nonexistent/key.pem", result.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_TwoHundredConcurrentMisses_OneGetSecretValueAtTheEmulator()
    {
        // Other tests read this secret through other configurations (each with its own cache): count the difference.
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        var before = await _service.EmulatorCountAsync("demo/keystore", "GetSecretValue");

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => client.UnaryAsync<GetSecretRequest, GetSecretResponse>(
            SecretsGrpcService.Method("GetSecret"), new GetSecretRequest { Configuration = "ra-files", SecretId = "demo/keystore" }, new CallOptions { Timeout = TimeSpan.FromSeconds(60) })));

        Assert.All(responses, r => Assert.Equal(Convert.FromBase64String("AAECA/7/"), r.SecretBinary.ToByteArray()));
        Assert.Equal(before + 1, await _service.EmulatorCountAsync("demo/keystore", "GetSecretValue"));
    }

    [Fact]
    public async Task HealthCli_EveryConfigurationHasCredentials_Ready()
    {
        var result = await Cli.RunAsync("health", "--address", $"http://{_service.Tcp}", "--service", "authservice.v1.SecretsService");
        for (var attempt = 0; attempt < 100 && result.ExitCode != 0; attempt++)
        {
            await Task.Delay(100);
            result = await Cli.RunAsync("health", "--address", $"http://{_service.Tcp}", "--service", "authservice.v1.SecretsService");
        }

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("SERVING", result.Output.Trim());
    }

    [Fact]
    public async Task CredentialsFile_GarbageThenFixed_LastGoodKeptThenNewProfileSeenAtOnceWithoutRestart()
    {
        var credentialsFile = Path.Combine(_service.Directory, ".aws", "credentials");
        var original = await File.ReadAllTextAsync(credentialsFile);
        Task<(int ExitCode, string Output, string Errors)> TestProfile(string profile) => Cli.RunAsync(
            "config", "test", "--address", $"http://{_service.Tcp}", "--name", "probe", "--region", "us-east-1",
            "--auth-type", "static-keys", "--profile", profile, "--endpoint-url", _service.Emulator.ToString());
        try
        {
            var before = await TestProfile("late-profile");
            Assert.Equal(1, before.ExitCode);

            await File.WriteAllTextAsync(credentialsFile, "this is [not an ini file\naws_secret_access_key\n");
            await Task.Delay(TimeSpan.FromSeconds(3));   // the service polls the mount every 2 s
            var duringGarbage = await TestProfile("demo");
            var servedDuringGarbage = await GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/database", JsonKey = "username" });

            await File.WriteAllTextAsync(credentialsFile, original + """

                [late-profile]
                aws_access_key_id = AKIADEMOEMULATOR0001
                aws_secret_access_key = not-the-right-secret
                """);
            // At once, not after the next 2 s poll: `config test` re-reads the files itself, as an operator expects
            // right after an edit.
            var after = await TestProfile("late-profile");

            Assert.True(duringGarbage.ExitCode == 0, duringGarbage.Output);
            Assert.Equal("demo", servedDuringGarbage.SecretString);
            // The new profile is found (credentials step passes); its made-up secret key is then refused by STS.
            Assert.Contains("PASSED   credentials", after.Output, StringComparison.Ordinal);
            Assert.Contains("FAILED   sts:GetCallerIdentity", after.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-right-secret", after.Output, StringComparison.Ordinal);
        }
        finally
        {
            await File.WriteAllTextAsync(credentialsFile, original);
            // Let the service pick the restored file up (it polls every 2 s) before another test runs, so the
            // credentials reset it causes cannot land in the middle of a test that counts AWS calls.
            await Task.Delay(TimeSpan.FromSeconds(3));
        }
    }

    [Fact]
    public async Task BatchGetSecrets_OneMissing_PerItemStatus()
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        var request = new BatchGetSecretsRequest();
        request.Requests.Add(new GetSecretRequest { Configuration = "static", SecretId = "demo/database", JsonKey = "password" });
        request.Requests.Add(new GetSecretRequest { Configuration = "static", SecretId = "demo/missing" });

        var response = await client.UnaryAsync<BatchGetSecretsRequest, BatchGetSecretsResponse>(SecretsGrpcService.Method("BatchGetSecrets"), request);

        Assert.Equal(0, response.Results[0].Code);
        Assert.Equal("demo-password", response.Results[0].Secret.SecretString);
        Assert.Equal((int)StatusCode.NotFound, response.Results[1].Code);
        Assert.Equal("demo/missing", response.Results[1].SecretId);
    }
}

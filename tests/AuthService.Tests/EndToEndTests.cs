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

    public async Task InitializeAsync()
    {
        var emulatorPort = RunningService.FreePort();
        Emulator = new Uri($"http://127.0.0.1:{emulatorPort}");
        var demo = Path.Combine(_directory, "emulator");
        _emulator = StartDotnet(Path.Combine(AppContext.BaseDirectory, "AwsEmulator.dll"), new Dictionary<string, string>(), "--demo-dir", demo, "--port", emulatorPort.ToString());
        using var http = new HttpClient();
        await WaitForAsync(async () => (await http.GetAsync(new Uri(Emulator, "/healthz"))).IsSuccessStatusCode, _emulator);

        var seed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(demo, "seed.json"))).RootElement;
        var user = seed.GetProperty("users")[0];
        var account = seed.GetProperty("accountId").GetString();
        var anchor = $"arn:aws:rolesanywhere:us-east-1:{account}:trust-anchor/{seed.GetProperty("trustAnchors")[0].GetProperty("id").GetString()}";
        var profile = $"arn:aws:rolesanywhere:us-east-1:{account}:profile/{seed.GetProperty("profiles")[0].GetProperty("id").GetString()}";
        var role = seed.GetProperty("profiles")[0].GetProperty("roleArns")[0].GetString();

        var aws = System.IO.Directory.CreateDirectory(Path.Combine(_directory, ".aws")).FullName;
        await File.WriteAllTextAsync(Path.Combine(aws, "credentials"), $"""
            [demo]
            aws_access_key_id = {user.GetProperty("accessKeyId").GetString()}
            aws_secret_access_key = {user.GetProperty("secretAccessKey").GetString()}
            """);
        await File.WriteAllTextAsync(Path.Combine(aws, "config"), "");
        await File.WriteAllTextAsync(Path.Combine(_directory, "configurations.json"), $$"""
            { "configurations": [
              { "name": "static", "region": "us-east-1", "endpointUrl": "{{Emulator}}",
                "auth": { "type": "static-keys", "profile": "demo" } },
              { "name": "ra-files", "region": "us-east-1", "endpointUrl": "{{Emulator}}",
                "auth": { "type": "roles-anywhere", "certificate": "{{Path.Combine(demo, "client.crt")}}", "privateKey": "{{Path.Combine(demo, "client_private.key")}}",
                          "trustAnchorArn": "{{anchor}}", "profileArn": "{{profile}}", "roleArn": "{{role}}" } }
            ] }
            """);

        Tcp = $"127.0.0.1:{RunningService.FreePort()}";
        _service = StartDotnet(
            Path.Combine(AppContext.BaseDirectory, "authservice.dll"),
            new Dictionary<string, string>
            {
                ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "configurations.json"),
                ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(aws, "credentials"),
                ["AWS_CONFIG_FILE"] = Path.Combine(aws, "config"),
                // Roles Anywhere goes to the emulator too (the signing helper's --endpoint, as an environment override).
                ["AWS_ENDPOINT_URL_ROLESANYWHERE"] = Emulator.ToString(),
            },
            "serve", "--tcp", Tcp);
        await WaitForAsync(async () => (await Cli.RunAsync("health", "--address", $"http://{Tcp}", "--timeout", "1")).ExitCode == 0, _service);
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
        foreach (var process in new[] { _service, _emulator })
        {
            if (process is { HasExited: false })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process?.Dispose();
        }

        System.IO.Directory.Delete(_directory, recursive: true);
    }

    private static Process StartDotnet(string assembly, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        // Drain output so a chatty process never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task WaitForAsync(Func<Task<bool>> ready, Process process)
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
                throw new InvalidOperationException($"{process.StartInfo.ArgumentList[0]} exited: {await process.StandardError.ReadToEndAsync()}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{process.StartInfo.ArgumentList[0]} did not become ready");
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
        var first = await GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/api-token" });
        var second = await GetAsync(new GetSecretRequest { Configuration = "static", SecretId = first.Arn });

        Assert.Equal("token-v2", second.SecretString);
        Assert.True(second.Cache.ServedFromCache);
        Assert.Equal(1, await _service.EmulatorCountAsync("demo/api-token", "GetSecretValue"));
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
        Assert.Contains("ra-files, static", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_JsonKeyMissing_NotFoundListingKeysNotValues()
    {
        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(new GetSecretRequest { Configuration = "static", SecretId = "demo/database", JsonKey = "host" }));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("username, password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("demo-password", error.Message, StringComparison.Ordinal);
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

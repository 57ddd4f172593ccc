using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AuthService.Api.V1;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;

namespace AuthService.Tests.Faults;

/// <summary>
/// The real service and the real AwsEmulator, each its own process, for fault injection: the emulator's
/// /admin/faults decides how AWS misbehaves, the service's logs are captured, and configurations use short TTLs
/// and stale windows so expiry happens in seconds. Roles Anywhere sessions are kept short-lived for the whole run
/// (the emulator's shortLived fault, <see cref="BaselineFaults"/>), so an outage can outlast them within a test.
/// </summary>
public abstract class FaultServiceBase : IAsyncLifetime
{
    /// <summary>Lifetime of every Roles Anywhere session the emulator issues in these tests, seconds.</summary>
    public const int SessionLifetimeSeconds = 4;

    private readonly StringBuilder _logs = new();
    private Process? _emulator;
    private Process? _service;

    protected FaultServiceBase(string prefix) => Directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;

    public string Directory { get; }

    public string Tcp { get; private set; } = "";

    public Uri Emulator { get; private set; } = null!;

    /// <summary>The emulator's demo folder: seed.json, ca.pem, client.crt, client_private.key.</summary>
    public string Demo => Path.Combine(Directory, "emulator");

    public string CredentialsFile => Path.Combine(Directory, ".aws", "credentials");

    /// <summary>The service process (its pid, for /proc checks).</summary>
    public Process Service => _service ?? throw new InvalidOperationException("the service is not running");

    /// <summary>Everything the service wrote so far (one JSON object per line).</summary>
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

    /// <summary>Faults in force whenever a test has not set others: Roles Anywhere sessions last seconds.</summary>
    public static string BaselineFaults => $$"""{"operation":"CreateSession","kind":"shortLived","lifetimeSeconds":{{SessionLifetimeSeconds}}}""";

    /// <summary>False when the fixture cannot run here (the reason is in the tests' skip attribute).</summary>
    protected virtual bool CanRun => true;

    public async Task InitializeAsync()
    {
        if (!CanRun)
        {
            return;
        }

        var emulatorPort = RunningService.FreePort();
        Emulator = new Uri($"http://127.0.0.1:{emulatorPort}");
        _emulator = Processes.StartDotnet("AwsEmulator.dll", new Dictionary<string, string>(), "--demo-dir", Demo, "--port", emulatorPort.ToString());
        using (var http = new HttpClient())
        {
            await Processes.WaitForAsync(async () => (await http.GetAsync(new Uri(Emulator, "/healthz"))).IsSuccessStatusCode, _emulator);
        }

        await ClearFaultsAsync();
        var environment = new Dictionary<string, string>
        {
            ["AUTHSERVICE_Configuration__File"] = Path.Combine(Directory, "configurations.json"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile,
            ["AWS_CONFIG_FILE"] = Path.Combine(Directory, ".aws", "config"),
            ["AWS_ENDPOINT_URL_ROLESANYWHERE"] = Emulator.ToString(),
        };
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, ".aws"));
        await File.WriteAllTextAsync(Path.Combine(Directory, ".aws", "config"), "");
        await PrepareAsync(environment);

        Tcp = $"127.0.0.1:{RunningService.FreePort()}";
        _service = Process.Start(ServiceStartInfo(Processes.DotnetStartInfo("authservice.dll", environment, ["serve", "--tcp", Tcp])))!;
        _service.ErrorDataReceived += (_, line) => Append(line.Data);
        _service.OutputDataReceived += (_, line) => Append(line.Data);
        _service.BeginOutputReadLine();
        _service.BeginErrorReadLine();
        await Processes.WaitForAsync(async () => (await Cli.RunAsync("health", "--address", $"http://{Tcp}", "--timeout", "1")).ExitCode == 0, _service);
    }

    /// <summary>How the service process is started (a fixture may wrap the dotnet command).</summary>
    protected virtual ProcessStartInfo ServiceStartInfo(ProcessStartInfo dotnet) => dotnet;

    /// <summary>Writes the credentials profile and configurations.json; may add to the service's environment.</summary>
    protected abstract Task PrepareAsync(Dictionary<string, string> environment);

    /// <summary>The configurations file: a JSON array body of configurations, every one pointed at the emulator.</summary>
    protected Task WriteConfigurationsAsync(params string[] configurations) => File.WriteAllTextAsync(
        Path.Combine(Directory, "configurations.json"),
        "{ \"configurations\": [\n" + string.Join(",\n", configurations.Select(c => c.Replace("ENDPOINT", Emulator.ToString(), StringComparison.Ordinal))) + "\n] }");

    private void Append(string? line)
    {
        lock (_logs)
        {
            _logs.AppendLine(line);
        }
    }

    /// <summary>Replaces the emulator's fault rules (the baseline stays in force too).</summary>
    public async Task SetFaultsAsync(params string[] rules)
    {
        using var http = new HttpClient();
        using var body = new StringContent($$"""{"faults":[{{string.Join(",", rules.Append(BaselineFaults))}}],"randomSeed":7}""", Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(new Uri(Emulator, "/admin/faults"), body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Back to the baseline: AWS behaves, Roles Anywhere sessions stay short.</summary>
    public Task ClearFaultsAsync() => SetFaultsAsync();

    public async Task<int> EmulatorCountAsync(string operation)
    {
        using var http = new HttpClient();
        var counters = await http.GetFromJsonAsync<JsonElement>(new Uri(Emulator, "/admin/counters"));
        return counters.GetProperty("operations").TryGetProperty(operation, out var count) ? count.GetInt32() : 0;
    }

    public async Task<GetSecretResponse> GetAsync(string configuration, string secretId, TimeSpan? deadline = null)
    {
        using var client = GrpcClient.Create($"http://{Tcp}");
        return await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(
            SecretsGrpcService.Method("GetSecret"),
            new GetSecretRequest { Configuration = configuration, SecretId = secretId },
            new CallOptions { Timeout = deadline ?? TimeSpan.FromSeconds(30) });
    }

    /// <summary>Polls until a read is served fresh from AWS (not stale); fails after 30 s.</summary>
    public async Task<GetSecretResponse> RecoveredAsync(string configuration, string secretId)
    {
        var watch = Stopwatch.StartNew();
        string last = "";
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                var response = await GetAsync(configuration, secretId);
                if (!response.Cache.Stale)
                {
                    return response;
                }

                last = "stale";
            }
            catch (GrpcException exception)
            {
                last = exception.ToString();
            }

            await Task.Delay(250);
        }

        throw new Xunit.Sdk.XunitException($"{configuration}/{secretId} did not recover within 30 s; last: {last}");
    }

    /// <summary>Reads until one fails (every success is returned too); fails when none did within 30 s.</summary>
    public async Task<(List<GetSecretResponse> Served, GrpcException Failure)> UntilFailureAsync(string configuration, string secretId)
    {
        var served = new List<GetSecretResponse>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                served.Add(await GetAsync(configuration, secretId));
            }
            catch (GrpcException exception)
            {
                return (served, exception);
            }

            await Task.Delay(500);
        }

        throw new Xunit.Sdk.XunitException($"{configuration}/{secretId} kept being served for 30 s ({served.Count} reads, last stale: {served[^1].Cache.Stale})");
    }

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_service);
        await Processes.StopAsync(_emulator);
        if (System.IO.Directory.Exists(Directory) && !OperatingSystem.IsWindows())
        {
            // A test may have left token files unreadable; make them removable again.
            foreach (var path in System.IO.Directory.EnumerateFileSystemEntries(Directory, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}

/// <summary>
/// Static keys and Roles Anywhere with the emulator's demo certificate in PEM files. Configurations:
/// <c>cached</c> (TTL 1 s, stale up to 60 s) for stale-serving cases, <c>uncached</c> and <c>cold</c> for cases where
/// nothing may be cached, <c>steady</c> (default cache) for load, <c>ra-short</c> (Roles Anywhere, TTL 1 s, stale up to 8 s) for the outage case.
/// </summary>
public sealed class FaultService : FaultServiceBase
{
    /// <summary>How long past its TTL ra-short may serve a value, seconds.</summary>
    public const int RaMaxStaleSeconds = 8;

    public FaultService()
        : base("authservice-faults-")
    {
    }

    protected override async Task PrepareAsync(Dictionary<string, string> environment)
    {
        var seed = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Demo, "seed.json"))).RootElement;
        var user = seed.GetProperty("users")[0];
        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(Demo);
        await File.WriteAllTextAsync(CredentialsFile, $"""
            [demo]
            aws_access_key_id = {user.GetProperty("accessKeyId").GetString()}
            aws_secret_access_key = {user.GetProperty("secretAccessKey").GetString()}
            """);
        await WriteConfigurationsAsync(
            """{ "name": "cached", "region": "us-east-1", "endpointUrl": "ENDPOINT", "auth": { "type": "static-keys", "profile": "demo" }, "cache": { "ttlSeconds": 1, "maxStaleSeconds": 60 } }""",
            """{ "name": "uncached", "region": "us-east-1", "endpointUrl": "ENDPOINT", "auth": { "type": "static-keys", "profile": "demo" }, "cache": { "ttlSeconds": 1, "maxStaleSeconds": 60 } }""",
            """{ "name": "cold", "region": "us-east-1", "endpointUrl": "ENDPOINT", "auth": { "type": "static-keys", "profile": "demo" }, "cache": { "ttlSeconds": 1, "maxStaleSeconds": 60 } }""",
            """{ "name": "steady", "region": "us-east-1", "endpointUrl": "ENDPOINT", "auth": { "type": "static-keys", "profile": "demo" } }""",
            $$"""
            { "name": "ra-short", "region": "us-east-1", "endpointUrl": "ENDPOINT", "cache": { "ttlSeconds": 1, "maxStaleSeconds": {{RaMaxStaleSeconds}} },
              "auth": { "type": "roles-anywhere", "certificate": "{{Path.Combine(Demo, "client.crt")}}", "privateKey": "{{Path.Combine(Demo, "client_private.key")}}",
                        "trustAnchorArn": "{{anchor}}", "profileArn": "{{profile}}", "roleArn": "{{role}}" } }
            """);
    }
}

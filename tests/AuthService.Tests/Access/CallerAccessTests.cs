using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Api.V1;
using AuthService.Configuration;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;

namespace AuthService.Tests.Access;

/// <summary>
/// The real service with an access section: a Unix socket (callers known by SO_PEERCRED), h2c with bearer
/// tokens, and TLS with client certificates, reading the emulator's demo secrets through static keys.
/// </summary>
public sealed class AccessControlledService : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("authservice-access-").FullName;
    private readonly System.Text.StringBuilder _logs = new();
    private Process? _emulator;
    private Process? _service;

    public string Tcp { get; private set; } = "";

    public int TlsPort { get; } = RunningService.FreePort();

    public string Socket => Path.Combine(_directory, "auth.sock");

    public string ConnectorToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string FloodToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string Uid { get; private set; } = "";

    private TestTlsFiles _tls = null!;

    public X509Certificate2 Authority => _tls.Authority;

    public X509Certificate2 ClientCertificate => _tls.Client;

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

    public async Task InitializeAsync()
    {
        var demo = Path.Combine(_directory, "emulator");
        (_emulator, var emulator) = await Processes.StartEmulatorAsync(demo);
        var user = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(demo, "seed.json"))).RootElement.GetProperty("users")[0];
        var aws = Directory.CreateDirectory(Path.Combine(_directory, ".aws")).FullName;
        await File.WriteAllTextAsync(Path.Combine(aws, "credentials"),
            $"[demo]\naws_access_key_id = {user.GetProperty("accessKeyId").GetString()}\naws_secret_access_key = {user.GetProperty("secretAccessKey").GetString()}\n");
        await File.WriteAllTextAsync(Path.Combine(aws, "config"), "");
        foreach (var (name, token) in new[] { ("connector-a", ConnectorToken), ("flooder", FloodToken) })
        {
            await File.WriteAllTextAsync(Path.Combine(_directory, name + ".token"), token + "\n");
            File.SetUnixFileMode(Path.Combine(_directory, name + ".token"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        Uid = (await RunAsync("id", "-u")).Trim();
        await File.WriteAllTextAsync(Path.Combine(_directory, "configurations.json"), $$"""
            { "configurations": [
                { "name": "static", "region": "us-east-1", "endpointUrl": "{{emulator}}", "auth": { "type": "static-keys", "profile": "demo" } },
                { "name": "other", "region": "us-east-1", "endpointUrl": "{{emulator}}", "auth": { "type": "static-keys", "profile": "demo" } }
              ],
              "access": {
                "tokens": [
                  { "name": "connector-a", "file": "{{Path.Combine(_directory, "connector-a.token")}}" },
                  { "name": "flooder", "file": "{{Path.Combine(_directory, "flooder.token")}}" }
                ],
                "rules": [
                  { "name": "local-operator", "callers": ["uid:{{Uid}}"], "configurations": ["static"], "secrets": ["demo/database", "demo/keystore"], "admin": true },
                  { "name": "connector-a", "callers": ["token:connector-a"], "configurations": ["static"], "secrets": ["demo/api-*"] },
                  { "name": "flooder", "callers": ["token:flooder"], "secrets": ["*"] },
                  { "name": "mtls-connector", "callers": ["cert:CN=connector-1"], "secrets": ["demo/*"] },
                  { "name": "no-keystore", "effect": "deny", "callers": ["*"], "secrets": ["demo/keystore"] }
                ]
              } }
            """);
        _tls = await TestTlsFiles.WriteAsync(_directory);

        (_service, Tcp) = await Processes.StartServiceAsync(new Dictionary<string, string>
        {
            ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "configurations.json"),
            ["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(aws, "credentials"),
            ["AWS_CONFIG_FILE"] = Path.Combine(aws, "config"),
            ["AUTHSERVICE_Server__UnixSocket"] = Socket,
            ["AUTHSERVICE_Server__UnixSocketMode"] = "600",
            ["AUTHSERVICE_Server__Tls__Endpoint"] = $"127.0.0.1:{TlsPort}",
            ["AUTHSERVICE_Server__Tls__CertificatePath"] = Path.Combine(_directory, "server.pem"),
            ["AUTHSERVICE_Server__Tls__KeyPath"] = Path.Combine(_directory, "server.key"),
            ["AUTHSERVICE_Server__Tls__ClientCertificateMode"] = "AllowCertificate",
            ["AUTHSERVICE_Server__Tls__ClientCaPath"] = Path.Combine(_directory, "ca.pem"),
            ["AUTHSERVICE_Server__Limits__CallerRequestsPerSecond"] = "20",
            ["AUTHSERVICE_Server__Limits__CallerBurst"] = "20",
        }, line =>
        {
            lock (_logs)
            {
                _logs.AppendLine(line);
            }
        });
    }

    private static async Task<string> RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output;
    }

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_service);
        await Processes.StopAsync(_emulator);
        _tls?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>Issue 8, item 1 and the limits of item 2, through real connections to the real service.</summary>
public sealed class CallerAccessTests : IClassFixture<AccessControlledService>
{
    private readonly AccessControlledService _service;

    public CallerAccessTests(AccessControlledService service) => _service = service;

    private static Task<GetSecretResponse> GetAsync(GrpcClient client, string secret, string configuration = "static", string? token = null) =>
        client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"),
            new GetSecretRequest { Configuration = configuration, SecretId = secret },
            new CallOptions
            {
                Timeout = TimeSpan.FromSeconds(20),
                Headers = token is null ? null : new Dictionary<string, string> { ["authorization"] = $"Bearer {token}" },
            });

    private GrpcClient Unix() => GrpcClient.Create($"unix:{_service.Socket}");

    private GrpcClient Tcp() => GrpcClient.Create($"http://{_service.Tcp}");

    [Fact]
    public async Task GetSecret_UnixSocketCallerAllowedByUidRule_Value()
    {
        using var client = Unix();

        var response = await GetAsync(client, "demo/database");

        Assert.Contains("demo-password", response.SecretString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_UnixSocketCallerWithoutRule_PermissionDeniedNamingUidAndDefaultDenyAndAudited()
    {
        using var client = Unix();

        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, "demo/api-token"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains($"uid:{_service.Uid}", error.Message, StringComparison.Ordinal);
        Assert.Contains("default-deny", error.Message, StringComparison.Ordinal);
        await WaitForLogAsync("\"Outcome\":\"PermissionDenied\"");
        Assert.Contains("\"EventId\":5000", _service.Logs, StringComparison.Ordinal);
        Assert.Contains("\"Rule\":\"default-deny\"", _service.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_DenyRuleMatches_DeniedNamingTheRuleEvenThoughAnAllowMatches()
    {
        using var client = Unix();

        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, "demo/keystore"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("'no-keystore'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_OtherConfigurationThanTheRuleNames_Denied()
    {
        using var client = Unix();

        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, "demo/database", configuration: "other"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task GetSecret_BearerTokenOverTcp_AllowedOnlyItsSecrets()
    {
        using var client = Tcp();

        var allowed = await GetAsync(client, "demo/api-token", token: _service.ConnectorToken);
        var denied = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, "demo/database", token: _service.ConnectorToken));

        Assert.Equal("token-v2", allowed.SecretString);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("token:connector-a", denied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_service.ConnectorToken, denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_ArnOfASecretTheRuleDoesNotName_DeniedAfterTheRead()
    {
        using var tcp = Tcp();
        using var unix = Unix();
        var tokenArn = (await GetAsync(tcp, "demo/api-token", token: _service.ConnectorToken)).Arn;
        var databaseArn = (await GetAsync(unix, "demo/database")).Arn;

        var byArnDenied = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(unix, tokenArn));
        var byArnAllowed = await GetAsync(unix, databaseArn);

        Assert.Equal(StatusCode.PermissionDenied, byArnDenied.StatusCode);
        Assert.Contains("demo-password", byArnAllowed.SecretString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_UnknownBearerToken_UnauthenticatedWithoutEchoingIt()
    {
        using var client = Tcp();
        var guess = _service.ConnectorToken[..^1] + (_service.ConnectorToken[^1] == 'a' ? 'b' : 'a');

        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, "demo/api-token", token: guess));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.DoesNotContain(guess, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(guess, _service.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_TcpWithoutToken_DeniedNamingTheAddress()
    {
        using var client = Tcp();

        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, "demo/database"));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("tcp:127.0.0.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecret_ClientCertificateOverTls_IdentifiedBySubject()
    {
        using var client = GrpcClient.Create($"https://localhost:{_service.TlsPort}", new GrpcClientOptions
        {
            TrustedCertificateAuthority = _service.Authority,
            ClientCertificate = _service.ClientCertificate,
        });
        using var anonymous = GrpcClient.Create($"https://localhost:{_service.TlsPort}", new GrpcClientOptions { TrustedCertificateAuthority = _service.Authority });

        var allowed = await GetAsync(client, "demo/api-token", configuration: "other");
        var denied = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(anonymous, "demo/api-token", configuration: "other"));

        Assert.Equal("token-v2", allowed.SecretString);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
    }

    [Fact]
    public async Task ListConfigurations_AdminRuleOnlyForTheLocalOperator()
    {
        using var unix = Unix();
        using var tcp = Tcp();
        var method = ConfigurationGrpcService.Method("ListConfigurations");

        var listed = await unix.UnaryAsync<ListConfigurationsRequest, ListConfigurationsResponse>(method, new ListConfigurationsRequest());
        var denied = await Assert.ThrowsAsync<GrpcException>(() => tcp.UnaryAsync<ListConfigurationsRequest, ListConfigurationsResponse>(
            method, new ListConfigurationsRequest(), new CallOptions { Headers = new Dictionary<string, string> { ["authorization"] = $"Bearer {_service.ConnectorToken}" } }));

        Assert.Equal(2, listed.Configurations.Count);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Contains("admin", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnixSocket_ModeFromConfiguration_OwnerOnly()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_service.Socket));
    }

    [Fact]
    public async Task GetSecret_CallerOverItsRate_ResourceExhaustedWithPushbackWhileOthersAreServed()
    {
        using var client = Tcp();
        var calls = Enumerable.Range(0, 80).Select(async _ =>
        {
            try
            {
                await GetAsync(client, "demo/api-token", token: _service.FloodToken);
                return (StatusCode?)null;
            }
            catch (GrpcException exception)
            {
                Assert.True(exception.StatusCode != StatusCode.ResourceExhausted || exception.Trailers.ContainsKey("grpc-retry-pushback-ms"), "no pushback trailer");
                return exception.StatusCode;
            }
        }).ToList();
        var outcomes = await Task.WhenAll(calls);
        using var unix = Unix();

        var other = await GetAsync(unix, "demo/database");

        Assert.Contains(StatusCode.ResourceExhausted, outcomes.OfType<StatusCode>());
        Assert.Contains(null, outcomes);                              // the burst got through
        Assert.Contains("demo-password", other.SecretString, StringComparison.Ordinal);  // another caller is not limited
    }

    [Fact]
    public async Task GetSecret_RequestLargerThanTheLimit_ResourceExhaustedAndServiceStillServes()
    {
        using var client = Unix();

        var error = await Assert.ThrowsAsync<GrpcException>(() => GetAsync(client, new string('x', 100_000)));
        var after = await GetAsync(client, "demo/database");

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("demo-password", after.SecretString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretGetCli_TokenFromFile_ReadsWhatTheTokenAllows()
    {
        var tokenFile = Path.Combine(Path.GetDirectoryName(_service.Socket)!, "connector-a.token");

        var withToken = await Cli.RunAsync("secret", "get", "--address", $"http://{_service.Tcp}", "--token-file", tokenFile, "--configuration", "static", "--secret-id", "demo/api-token", "--show-value");
        var without = await Cli.RunAsync("secret", "get", "--address", $"http://{_service.Tcp}", "--configuration", "static", "--secret-id", "demo/api-token");

        Assert.Equal(0, withToken.ExitCode);
        Assert.Contains("token-v2", withToken.Output, StringComparison.Ordinal);
        Assert.Equal(1, without.ExitCode);
        Assert.Contains("PermissionDenied", without.Errors, StringComparison.Ordinal);
    }

    private async Task WaitForLogAsync(string text)
    {
        for (var attempt = 0; attempt < 50 && !_service.Logs.Contains(text, StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(100);
        }
    }
}

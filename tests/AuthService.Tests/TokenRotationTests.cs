using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Api.V1;
using AuthService.Configuration;
using AuthService.Grpc;
using AuthService.Grpc.Client;
using AuthService.Secrets;

namespace AuthService.Tests;

/// <summary>
/// A running service whose SoftHSM tokens the tests change the way the reference procedure tells operators to:
/// "roles-anywhere" (the demo RSA key, provisioned by Step 1 and then rotated) and "ec-token" (an EC P-256 key
/// with a certificate from the same demo CA). The "rotating" configuration re-reads its secret from the emulator
/// every second, so reads keep needing valid credentials while the token changes under the service.
/// </summary>
public sealed class TokenRotationService : IAsyncLifetime
{
    public const string Pin = "402817";
    private readonly string _directory = Directory.CreateTempSubdirectory("authservice-rotation-").FullName;
    private readonly System.Text.StringBuilder _logs = new();
    private Process? _emulator;
    private Process? _service;

    public string Tcp { get; private set; } = "";

    /// <summary>The emulator's demo folder (its CA issues the rotation certificates).</summary>
    public string Demo => Path.Combine(_directory, "emulator");

    public string CredentialsFile => Path.Combine(_directory, ".aws", "credentials");

    public Uri Emulator { get; private set; } = null!;

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

    internal SoftHsmProcedure SoftHsm { get; private set; } = null!;

    /// <summary>The certificate the EC token holds.</summary>
    public X509Certificate2 EcCertificate { get; private set; } = null!;

    /// <summary>The EC key's private scalar, kept only to prove it appears in no token file.</summary>
    public byte[] EcPrivateScalar { get; private set; } = [];

    public async Task InitializeAsync()
    {
        if (!SoftHsmFactAttribute.Available)
        {
            return;
        }

        SoftHsm = SoftHsmProcedure.Create(_directory);
        (_emulator, Emulator) = await Processes.StartEmulatorAsync(Demo);

        await SoftHsm.InitTokenAsync("roles-anywhere", "5678", Pin);
        await SoftHsm.ImportKeyAsync("roles-anywhere", Pin, await File.ReadAllTextAsync(Path.Combine(Demo, "client_private.key")), "ra-key", "01");
        await SoftHsm.WriteCertificateAsync("roles-anywhere", Pin, await File.ReadAllTextAsync(Path.Combine(Demo, "client.crt")), "ra-cert", "01");

        using var ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        EcCertificate = SoftHsmProcedure.IssueClientCertificate(Demo, ecKey, "CN=ec-connector-host");
        EcPrivateScalar = ecKey.ExportParameters(includePrivateParameters: true).D!;
        await SoftHsm.InitTokenAsync("ec-token", "5678", Pin);
        await SoftHsm.ImportKeyAsync("ec-token", Pin, ecKey.ExportPkcs8PrivateKeyPem(), "ra-key", "01");
        await SoftHsm.WriteCertificateAsync("ec-token", Pin, EcCertificate.ExportCertificatePem(), "ra-cert", "01");

        var (anchor, profile, role) = await EndToEndService.RolesAnywhereArnsAsync(Demo);
        string Line(string token) =>
            $"credential_process = /usr/local/bin/aws_signing_helper credential-process --certificate \"pkcs11:token={token};object=ra-cert;id=%01?pin-value={Pin}\" --private-key \"pkcs11:token={token};object=ra-key;id=%01?pin-value={Pin}\" --pkcs11-lib {SoftHsmProcedure.Module} --trust-anchor-arn {anchor} --profile-arn {profile} --role-arn {role}";
        Directory.CreateDirectory(Path.GetDirectoryName(CredentialsFile)!);
        await File.WriteAllTextAsync(CredentialsFile, $"""
            [iam_roles_anywhere_profile]
            {Line("roles-anywhere")}

            [ec_profile]
            {Line("ec-token")}
            """);
        await File.WriteAllTextAsync(Path.Combine(_directory, ".aws", "config"), "");
        await File.WriteAllTextAsync(Path.Combine(_directory, "configurations.json"), $$"""
            { "configurations": [
              { "name": "rotating", "region": "us-east-1", "endpointUrl": "{{Emulator}}", "auth": { "type": "profile", "profile": "iam_roles_anywhere_profile" },
                "cache": { "ttlSeconds": 1 } },
              { "name": "ec", "region": "us-east-1", "endpointUrl": "{{Emulator}}", "auth": { "type": "profile", "profile": "ec_profile" } }
            ] }
            """);

        (_service, Tcp) = await Processes.StartServiceAsync(ServiceEnvironment(SoftHsm.SoftHsmConf), line =>
        {
            lock (_logs)
            {
                _logs.AppendLine(line);
            }
        });
    }

    /// <summary>The service's environment: these configurations and AWS files, with the given softhsm2.conf.</summary>
    public Dictionary<string, string> ServiceEnvironment(string softhsmConf) => new()
    {
        ["SOFTHSM2_CONF"] = softhsmConf,
        ["AUTHSERVICE_Configuration__File"] = Path.Combine(_directory, "configurations.json"),
        ["AWS_SHARED_CREDENTIALS_FILE"] = CredentialsFile,
        ["AWS_CONFIG_FILE"] = Path.Combine(_directory, ".aws", "config"),
        ["AWS_ENDPOINT_URL_ROLESANYWHERE"] = Emulator.ToString(),
    };

    /// <summary>A softhsm2.conf whose token directory was never created (the reference's first troubleshooting case).</summary>
    public string SoftHsmConfWithoutTokenDirectory()
    {
        var conf = Path.Combine(_directory, "softhsm2-missing.conf");
        File.WriteAllText(conf, $"directories.tokendir = {Path.Combine(_directory, "no-such-dir", "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        return conf;
    }

    public async Task DisposeAsync()
    {
        await Processes.StopAsync(_service);
        await Processes.StopAsync(_emulator);
        EcCertificate?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>End-to-end cases (c) and (d): an EC P-256 token key, and rotation per the reference procedure under load.</summary>
public sealed class TokenRotationTests : IClassFixture<TokenRotationService>
{
    private readonly TokenRotationService _service;

    public TokenRotationTests(TokenRotationService service) => _service = service;

    [SoftHsmFact]
    public async Task GetSecret_EcP256KeyInToken_ValueThroughRolesAnywhere()
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");

        var response = await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"),
            new GetSecretRequest { Configuration = "ec", SecretId = "demo/database", JsonKey = "password" }, new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
        var identity = await CallerIdentityAsync("ec_profile");

        Assert.Equal("demo-password", response.SecretString);
        // The session is the EC certificate's: Roles Anywhere names it after the certificate serial.
        Assert.Contains(SoftHsmProcedure.SessionName(_service.EcCertificate), identity, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task RotateCertificateOnly_ReferenceProcedureWhileServing_NoReadFailsAndNewCertificateSigns()
    {
        using var key = RSA.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(_service.Demo, "client_private.key")));
        using var certificate = SoftHsmProcedure.IssueClientCertificate(_service.Demo, key, "CN=demo-connector-host");

        var failures = await WhileReadingAsync(async () =>
        {
            // "Rotate the certificate only": delete the old certificate, write the new one with the same label and id.
            await _service.SoftHsm.DeleteObjectAsync("roles-anywhere", TokenRotationService.Pin, "cert", "ra-cert");
            await _service.SoftHsm.WriteCertificateAsync("roles-anywhere", TokenRotationService.Pin, certificate.ExportCertificatePem(), "ra-cert", "01");
            await ForceNewCredentialsAsync();
        });

        Assert.Empty(failures);
        Assert.Contains(SoftHsmProcedure.SessionName(certificate), await CallerIdentityAsync("iam_roles_anywhere_profile"), StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task RotateKeyAndCertificate_ReferenceProcedureWhileServing_NoReadFailsAndNewKeySigns()
    {
        using var key = RSA.Create(2048);
        using var certificate = SoftHsmProcedure.IssueClientCertificate(_service.Demo, key, "CN=demo-connector-host-rotated");

        var failures = await WhileReadingAsync(async () =>
        {
            // "Replace both the certificate and the private key", in the procedure's order.
            await _service.SoftHsm.DeleteObjectAsync("roles-anywhere", TokenRotationService.Pin, "privkey", "ra-key");
            await _service.SoftHsm.DeleteObjectAsync("roles-anywhere", TokenRotationService.Pin, "pubkey", "ra-key");
            await _service.SoftHsm.DeleteObjectAsync("roles-anywhere", TokenRotationService.Pin, "cert", "ra-cert");
            await _service.SoftHsm.ImportKeyAsync("roles-anywhere", TokenRotationService.Pin, key.ExportPkcs8PrivateKeyPem(), "ra-key", "01");
            await _service.SoftHsm.WriteCertificateAsync("roles-anywhere", TokenRotationService.Pin, certificate.ExportCertificatePem(), "ra-cert", "01");
            await ForceNewCredentialsAsync();
        });

        Assert.Empty(failures);
        Assert.Contains(SoftHsmProcedure.SessionName(certificate), await CallerIdentityAsync("iam_roles_anywhere_profile"), StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public void TokenDatabase_KeyImported_PrivateKeyBytesInNoFileOfTheTokenDirectory()
    {
        // Someone who copies the token directory without the PIN gets encrypted objects (the reference's
        // "cat on any .object file shows binary data"): the private scalar appears in no file, in any form.
        var scalar = _service.EcPrivateScalar;
        var files = Directory.GetFiles(_service.SoftHsm.TokenDirectory, "*", SearchOption.AllDirectories);

        Assert.NotEmpty(files);
        Assert.Equal(32, scalar.Length);
        foreach (var file in files)
        {
            var content = File.ReadAllBytes(file);
            Assert.True(content.AsSpan().IndexOf(scalar) < 0, $"{file} holds the private key in the clear");
            Assert.DoesNotContain(Convert.ToBase64String(scalar)[..20], System.Text.Encoding.Latin1.GetString(content), StringComparison.Ordinal);
        }
    }

    [SoftHsmFact]
    public async Task GetSecret_TokenDirectoryMissing_FailedPreconditionNamingTheDirectoryAndTheFix()
    {
        var (service, tcp) = await Processes.StartServiceAsync(_service.ServiceEnvironment(_service.SoftHsmConfWithoutTokenDirectory()), _ => { });
        try
        {
            using var client = GrpcClient.Create($"http://{tcp}");

            var error = await Assert.ThrowsAsync<GrpcException>(() => client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"),
                new GetSecretRequest { Configuration = "ec", SecretId = "demo/database" }, new CallOptions { Timeout = TimeSpan.FromSeconds(30) }));

            Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
            Assert.True(error.Message.Contains("no-such-dir", StringComparison.Ordinal), error.Message);
            Assert.Contains("no-such-dir", error.Message, StringComparison.Ordinal);          // the cause: which directory
            Assert.Contains("softhsm2-util --show-slots", error.Message, StringComparison.Ordinal); // the fix, as the reference gives it
            Assert.DoesNotContain(TokenRotationService.Pin, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await Processes.StopAsync(service);
        }
    }

    /// <summary>
    /// Runs <paramref name="rotation"/> while four readers keep calling GetSecret on the 1-second-TTL configuration
    /// (so reads keep reaching the emulator with the service's credentials), and for two seconds after it; returns every failure.
    /// </summary>
    private async Task<List<string>> WhileReadingAsync(Func<Task> rotation)
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        var reads = 0;
        using var stop = new CancellationTokenSource();
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        async Task ReadLoop()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"),
                        new GetSecretRequest { Configuration = "rotating", SecretId = "demo/database", JsonKey = "username" }, new CallOptions { Timeout = TimeSpan.FromSeconds(10) });
                    if (response.SecretString != "demo")
                    {
                        failures.Add($"unexpected value (stale={response.Cache?.Stale})");
                    }

                    Interlocked.Increment(ref reads);
                }
                catch (GrpcException exception)
                {
                    failures.Add($"{exception.StatusCode}: {exception.Message}");
                }

                await Task.Delay(50, CancellationToken.None);
            }
        }

        // The configuration must be serving before the token changes (its first read signs a CreateSession);
        // otherwise a slow first start would be blamed on the rotation.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.UnaryAsync<GetSecretRequest, GetSecretResponse>(SecretsGrpcService.Method("GetSecret"),
                    new GetSecretRequest { Configuration = "rotating", SecretId = "demo/database" }, new CallOptions { Timeout = TimeSpan.FromSeconds(10) });
                break;
            }
            catch (GrpcException) when (attempt < 60)
            {
                await Task.Delay(500);
            }
        }

        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(ReadLoop)).ToArray();
        await rotation();
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        Assert.True(reads > 20, $"only {reads} reads succeeded during the rotation; failures: {string.Join(" | ", failures.Distinct().Take(5))}\n{_service.Logs[^Math.Min(4000, _service.Logs.Length)..]}");
        return [.. failures];
    }

    /// <summary>
    /// The next read must sign a new CreateSession with what the token now holds: an edit of the credentials file
    /// (a comment) makes the service drop its credentials, as any operator edit of that file does.
    /// </summary>
    private async Task ForceNewCredentialsAsync()
    {
        static int Reloads(string logs) => logs.Split("\"EventId\":2010").Length - 1;
        var before = Reloads(_service.Logs);
        await File.AppendAllTextAsync(_service.CredentialsFile, $"\n# rotated {Guid.NewGuid():N}\n");
        for (var attempt = 0; attempt < 100 && Reloads(_service.Logs) == before; attempt++)
        {
            await Task.Delay(100);
        }

        Assert.True(Reloads(_service.Logs) > before, "the service did not notice the credentials file edit within 10 s");
    }

    /// <summary>TestConfiguration's sts:GetCallerIdentity detail for a profile: a fresh CreateSession signed in the token.</summary>
    private async Task<string> CallerIdentityAsync(string profile)
    {
        using var client = GrpcClient.Create($"http://{_service.Tcp}");
        var response = await client.UnaryAsync<TestConfigurationRequest, TestConfigurationResponse>(ConfigurationGrpcService.Method("TestConfiguration"),
            new TestConfigurationRequest { Configuration = new Api.V1.Configuration { Name = "probe", Region = "us-east-1", EndpointUrl = _service.Emulator.ToString(), Profile = new ProfileAuth { Profile = profile } } },
            new CallOptions { Timeout = TimeSpan.FromSeconds(30) });
        Assert.True(response.Ok, string.Join("; ", response.Steps.Select(s => $"{s.Name}: {s.Outcome} {s.Detail}")));
        return response.Steps.Single(s => s.Name == "sts:GetCallerIdentity").Detail;
    }
}

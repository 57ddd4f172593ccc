using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Tests.OperatorCli;

/// <summary>
/// The operator tests run one after another: each starts several authservice processes and SoftHSM key
/// generations, which on a 2-core machine is faster serially, and SoftHSM must never race itself in one process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class OperatorTestGroup
{
    public const string Name = "Operator CLI (SoftHSM2)";
}

/// <summary>
/// A private SoftHSM2 world for one test (its own softhsm2.conf and token directory) and the real `authservice`
/// process run in it, in a new session (setsid) so it has no controlling terminal, exactly like a script or
/// `docker exec` without -t. Every run is checked for the PINs in its output.
/// </summary>
internal sealed class OperatorHarness : IDisposable
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Label = "roles-anywhere";
    public const string Pin = "731946";
    public const string SoPin = "5678-so";

    private readonly List<string> _secrets = [Pin, SoPin];

    public OperatorHarness()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("authservice-op-").FullName;
        TokenDirectory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "softhsm", "tokens")).FullName;
        ConfPath = Path.Combine(Directory, "softhsm2.conf");
        File.WriteAllText(ConfPath, $"directories.tokendir = {TokenDirectory}\nobjectstore.backend = file\nlog.level = ERROR\n");
        PinFile = Write("pin", Pin + "\n");
        AwsDirectory = Path.Combine(Directory, ".aws");
        Environment["SOFTHSM2_CONF"] = ConfPath;
    }

    public string Directory { get; }

    public string TokenDirectory { get; }

    public string ConfPath { get; }

    public string PinFile { get; }

    public string AwsDirectory { get; }

    public Dictionary<string, string> Environment { get; } = new();

    /// <summary>Also treat this text as a secret that must never be printed.</summary>
    public void AddSecret(string secret) => _secrets.Add(secret);

    public string Write(string name, string content)
    {
        string path = Path.Combine(Directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    public Task<CliResult> RunAsync(params string[] arguments) => RunWithInputAsync(null, arguments);

    public async Task<CliResult> RunWithInputAsync(string? stdin, params string[] arguments)
    {
        var inner = Processes.DotnetStartInfo("authservice.dll", Environment, arguments);
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : inner.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (start.FileName.EndsWith("setsid", StringComparison.Ordinal))
        {
            start.ArgumentList.Add("--wait");
            start.ArgumentList.Add(inner.FileName);
        }

        foreach (string a in inner.ArgumentList)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in Environment)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var result = new CliResult(process.ExitCode, await output, await errors);
        foreach (string secret in _secrets)
        {
            Assert.False(result.Output.Contains(secret, StringComparison.Ordinal) || result.Errors.Contains(secret, StringComparison.Ordinal),
                $"a secret appeared in the output of 'authservice {string.Join(' ', arguments)}'");
        }

        return result;
    }

    /// <summary>authservice token init with both PINs on stdin.</summary>
    public async Task InitTokenAsync(string label = Label)
    {
        var result = await RunWithInputAsync($"{SoPin}\n{Pin}\n", "token", "init", "--label", label, "--pins-stdin");
        result.AssertExit(0);
    }

    public async Task ImportKeyAsync(string pem, string id = "01", string label = "ra-key")
    {
        var result = await RunWithInputAsync(Pin + "\n" + pem, "token", "import-key", "--token", Label, "--label", label, "--id", id, "--pin-stdin");
        result.AssertExit(0);
    }

    public async Task ImportCertificateAsync(string pem, string id = "01", string label = "ra-cert")
    {
        var result = await RunWithInputAsync(pem, "token", "import-cert", "--token", Label, "--label", label, "--id", id, "--pin-file", PinFile);
        result.AssertExit(0);
    }

    /// <summary>A token with an RSA key and its certificate under ra-key/ra-cert id 01; returns the key.</summary>
    public async Task<RSA> ProvisionAsync(DateTimeOffset? notAfter = null)
    {
        await InitTokenAsync();
        var key = RSA.Create(2048);
        await ImportKeyAsync(key.ExportPkcs8PrivateKeyPem());
        await ImportCertificateAsync(TestPki.SelfSigned(key, "CN=agent-1", notAfter: notAfter));
        return key;
    }

    /// <summary>Runs a tool (openssl, pkcs11-tool) in this SoftHSM world.</summary>
    public (int Exit, string Output, string Errors) Tool(string program, string? stdin, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Directory };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["SOFTHSM2_CONF"] = ConfPath;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    /// <summary>
    /// Proves with OpenSC's pkcs11-tool that the private key cannot be read: --read-object yields no bytes (0.23 refuses
    /// private keys outright; with CKA_EXTRACTABLE=false no version can get CKA_VALUE), and the key's access flags
    /// say sensitive and never "extractable".
    /// </summary>
    public void AssertKeyNotExtractable(string id)
    {
        string output = Path.Combine(Directory, $"read-{id}.bin");
        var read = Tool("pkcs11-tool", null, "--module", Module, "--token-label", Label, "--login", "--pin", Pin,
            "--read-object", "--type", "privkey", "--id", id, "--output-file", output);
        Assert.True(!File.Exists(output) || new FileInfo(output).Length == 0, $"pkcs11-tool read key bytes: {read.Output} {read.Errors}");
        var list = Tool("pkcs11-tool", null, "--module", Module, "--token-label", Label, "--login", "--pin", Pin, "--list-objects", "--type", "privkey", "--id", id);
        string access = list.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("Access:", StringComparison.Ordinal));
        var flags = access["Access:".Length..].Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("sensitive", flags);
        Assert.DoesNotContain("extractable", flags);
    }

    public string Openssl(params string[] arguments)
    {
        var (exit, output, errors) = Tool("openssl", null, arguments);
        Assert.True(exit == 0, $"openssl {string.Join(' ', arguments)} failed: {errors}");
        return output;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed record CliResult(int ExitCode, string Output, string Errors)
{
    public void AssertExit(int expected) =>
        Assert.True(ExitCode == expected, $"exit {ExitCode}, expected {expected}\nstdout: {Output}\nstderr: {Errors}");
}

/// <summary>Certificates for tests, made with .NET (CertificateRequest) so every Roles Anywhere property can be varied.</summary>
internal static class TestPki
{
    public static string SelfSigned(AsymmetricAlgorithm key, string subject, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null,
        X509KeyUsageFlags? usage = X509KeyUsageFlags.DigitalSignature)
    {
        CertificateRequest request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or ECDsa", nameof(key)),
        };
        if (usage is { } u)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(u, critical: true));
        }

        using X509Certificate2 cert = request.CreateSelfSigned(notBefore ?? DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(365));
        return cert.ExportCertificatePem() + "\n";
    }

    /// <summary>Loads a key PEM of any supported format into .NET (to issue its certificate).</summary>
    public static AsymmetricAlgorithm Load(string pem, string? password = null)
    {
        bool ec = pem.Contains("EC PRIVATE KEY", StringComparison.Ordinal) || IsEcPkcs8(pem, password);
        AsymmetricAlgorithm key = ec ? ECDsa.Create() : RSA.Create();
        if (password is null)
        {
            key.ImportFromPem(pem);
        }
        else
        {
            key.ImportFromEncryptedPem(pem, password);
        }

        return key;
    }

    private static bool IsEcPkcs8(string pem, string? password)
    {
        using var rsa = RSA.Create();
        try
        {
            if (password is null)
            {
                rsa.ImportFromPem(pem);
            }
            else
            {
                rsa.ImportFromEncryptedPem(pem, password);
            }

            return false;
        }
        catch (CryptographicException)
        {
            return true;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}

/// <summary>The theory form of <see cref="SoftHsmFactAttribute"/>: skips, saying why, without SoftHSM2, OpenSC or openssl.</summary>
public sealed class SoftHsmTheoryAttribute : TheoryAttribute
{
    public SoftHsmTheoryAttribute()
    {
        if (!SoftHsmFactAttribute.Available || !File.Exists("/usr/bin/openssl"))
        {
            Skip = "SoftHSM2, OpenSC or openssl is not installed (softhsm2, opensc, openssl): run scripts/install-test-deps";
        }
    }
}

/// <summary>
/// Runs authservice on a pseudo-terminal (util-linux `script`), answering each prompt only once it has appeared,
/// so the answer is typed after the command switched echo off, as a person at `docker exec -it` would.
/// </summary>
internal static class Terminal
{
    public static bool Available => File.Exists("/usr/bin/script");

    public static async Task<CliResult> RunAsync(OperatorHarness h, IReadOnlyList<(string Prompt, string Answer)> dialogue, params string[] arguments)
    {
        var inner = Processes.DotnetStartInfo("authservice.dll", h.Environment, arguments);
        string command = string.Join(' ', new[] { inner.FileName }.Concat(inner.ArgumentList).Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));
        var start = new ProcessStartInfo("/usr/bin/script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-qec", command, "/dev/null" })
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in h.Environment)
        {
            start.Environment[k] = v;
        }

        using var process = Process.Start(start)!;
        var screen = new System.Text.StringBuilder();
        var errors = process.StandardError.ReadToEndAsync();
        var buffer = new char[256];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        int next = 0;
        while (true)
        {
            int n = await process.StandardOutput.ReadAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }

            screen.Append(buffer, 0, n);
            if (next < dialogue.Count && screen.ToString().Split(dialogue[next].Prompt).Length - 1 >= Occurrences(dialogue, next))
            {
                await process.StandardInput.WriteAsync(dialogue[next].Answer + "\n");
                await process.StandardInput.FlushAsync();
                next++;
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        return new CliResult(process.ExitCode, screen.ToString(), await errors);
    }

    // The same prompt may come twice (PIN, then confirmation): answer the n-th time it appears.
    private static int Occurrences(IReadOnlyList<(string Prompt, string Answer)> dialogue, int index) =>
        dialogue.Take(index + 1).Count(d => d.Prompt == dialogue[index].Prompt);
}

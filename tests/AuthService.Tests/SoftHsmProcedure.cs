using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Tests;

/// <summary>
/// The reference procedure's SoftHSM commands, word for word (softhsm2-util --init-token / --import from stdin,
/// pkcs11-tool --write-object / --delete-object), against a token directory of the test's own. Shared by every
/// end-to-end fixture that provisions or rotates a token the way an operator would.
/// </summary>
internal sealed class SoftHsmProcedure
{
    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";

    private readonly string _scratch;

    private SoftHsmProcedure(string softhsmConf, string tokens, string scratch)
    {
        SoftHsmConf = softhsmConf;
        TokenDirectory = tokens;
        _scratch = scratch;
        Environment = new Dictionary<string, string> { ["SOFTHSM2_CONF"] = softhsmConf };
    }

    public string SoftHsmConf { get; }

    public string TokenDirectory { get; }

    /// <summary>SOFTHSM2_CONF for the tools and the service.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>A softhsm2.conf under <paramref name="directory"/> whose token directory exists (mkdir -p, as Step 1 does).</summary>
    public static SoftHsmProcedure Create(string directory)
    {
        var tokens = System.IO.Directory.CreateDirectory(Path.Combine(directory, "softhsm", "tokens")).FullName;
        var conf = Path.Combine(directory, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        return new SoftHsmProcedure(conf, tokens, directory);
    }

    public Task InitTokenAsync(string label, string soPin, string pin) =>
        Processes.RunAsync("softhsm2-util", Environment, null, "--init-token", "--free", "--label", label, "--so-pin", soPin, "--pin", pin);

    /// <summary>`cat key.pem | softhsm2-util --import /dev/stdin --token T --pin P --label L --id ID [--force]`.</summary>
    public Task ImportKeyAsync(string token, string pin, string pkcs8Pem, string label, string id, bool force = false) =>
        Processes.RunAsync("softhsm2-util", Environment, pkcs8Pem,
            ["--import", "/dev/stdin", "--token", token, "--pin", pin, "--label", label, "--id", id, .. force ? new[] { "--force" } : []]);

    /// <summary>
    /// The certificate through a temp file and `pkcs11-tool --write-object FILE --type cert`, then the file removed.
    /// A null <paramref name="token"/> runs the command verbatim (pkcs11-tool's first token, as with one token).
    /// </summary>
    public async Task WriteCertificateAsync(string? token, string pin, string certificatePem, string label, string id)
    {
        var file = Path.Combine(_scratch, "ra-cert.pem");
        await File.WriteAllTextAsync(file, certificatePem);
        try
        {
            await Pkcs11ToolAsync(token, pin, "--write-object", file, "--type", "cert", "--label", label, "--id", id);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>`pkcs11-tool --login --pin P --delete-object --type privkey|pubkey|cert --label L`.</summary>
    public Task DeleteObjectAsync(string? token, string pin, string type, string label) =>
        Pkcs11ToolAsync(token, pin, "--delete-object", "--type", type, "--label", label);

    private Task Pkcs11ToolAsync(string? token, string pin, params string[] operation) =>
        Processes.RunAsync("pkcs11-tool", Environment, null,
            ["--module", Module, .. token is null ? Array.Empty<string>() : ["--token-label", token], "--login", "--pin", pin, .. operation]);

    /// <summary>
    /// A Roles Anywhere client certificate for <paramref name="key"/>, issued by the emulator's demo CA (ca.pem and
    /// ca_private.key in its demo folder), as an operator's CA would sign a new CSR.
    /// </summary>
    public static X509Certificate2 IssueClientCertificate(string demoDirectory, AsymmetricAlgorithm key, string subject)
    {
        using var ca = X509Certificate2.CreateFromPemFile(Path.Combine(demoDirectory, "ca.pem"), Path.Combine(demoDirectory, "ca_private.key"));
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject, ec, HashAlgorithmName.SHA256),
            _ => throw new ArgumentException("RSA or EC key expected", nameof(key)),
        };
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var caKey = ca.GetECDsaPrivateKey()!;
        var now = DateTimeOffset.UtcNow;
        return request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), now.AddMinutes(-5), now.AddDays(30), RandomNumberGenerator.GetBytes(12).Select((b, i) => i == 0 ? (byte)(b & 0x7F | 0x10) : b).ToArray());
    }

    /// <summary>The role session name Roles Anywhere gives a certificate's sessions: its serial number in lower-case hex.</summary>
    public static string SessionName(X509Certificate2 certificate) => Convert.ToHexStringLower(certificate.SerialNumberBytes.Span);
}

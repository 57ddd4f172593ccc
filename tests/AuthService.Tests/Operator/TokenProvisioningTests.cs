using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace AuthService.Tests.OperatorCli;

/// <summary>authservice token init, import-key, import-cert, generate-key, csr, list, delete, test-sign against real SoftHSM2.</summary>
[Collection(OperatorTestGroup.Name)]
public sealed class TokenProvisioningTests : IDisposable
{
    private readonly OperatorHarness _h = new();

    public void Dispose() => _h.Dispose();

    [SoftHsmFact]
    public async Task Init_PinsOnStdin_PrintsSlotAndSerialAndTokenIsListed()
    {
        var init = await _h.RunWithInputAsync($"{OperatorHarness.SoPin}\n{OperatorHarness.Pin}\n", "token", "init", "--label", "roles-anywhere", "--pins-stdin");
        var list = await _h.RunAsync("token", "list", "--json");

        init.AssertExit(0);
        Assert.Matches(@"slot:\s+\d+", init.Output);
        Assert.Matches(@"serial:\s+[0-9a-f]{16}", init.Output);
        using var json = JsonDocument.Parse(list.Output);
        var token = Assert.Single(json.RootElement.GetProperty("tokens").EnumerateArray(), t => t.GetProperty("label").GetString() == "roles-anywhere");
        Assert.True(token.GetProperty("initialized").GetBoolean());
        // The softhsm2-util view of the same token directory agrees.
        Assert.Contains("roles-anywhere", _h.Tool("softhsm2-util", null, "--show-slots").Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Init_PinFiles_UserPinLogsIn()
    {
        string so = _h.Write("so-pin", OperatorHarness.SoPin + "\n");

        var init = await _h.RunAsync("token", "init", "--label", "roles-anywhere", "--so-pin-file", so, "--pin-file", _h.PinFile);
        var login = _h.Tool("pkcs11-tool", null, "--module", OperatorHarness.Module, "--token-label", "roles-anywhere", "--login", "--pin", OperatorHarness.Pin, "--list-objects");

        init.AssertExit(0);
        Assert.Equal(0, login.Exit);
    }

    [SoftHsmFact]
    public async Task Init_TokenDirectoryMissing_CreatedMode700ThenTokenInitialized()
    {
        // A fresh mount: the reference procedure's `mkdir -p .../softhsm/tokens && chmod 700` not done yet.
        Directory.Delete(_h.TokenDirectory);
        Directory.Delete(Path.GetDirectoryName(_h.TokenDirectory)!);

        var init = await _h.RunWithInputAsync($"{OperatorHarness.SoPin}\n{OperatorHarness.Pin}\n", "token", "init", "--label", "roles-anywhere", "--pins-stdin");

        init.AssertExit(0);
        Assert.Contains($"Created the SoftHSM token directory {_h.TokenDirectory} (mode 700", init.Output, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_h.TokenDirectory));
        Assert.Single(Directory.GetFiles(_h.TokenDirectory, "token.object", SearchOption.AllDirectories));
        Assert.Contains("roles-anywhere", _h.Tool("softhsm2-util", null, "--show-slots").Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Init_NoPinSourceAndNoTerminal_Exit2NamingTheOptions()
    {
        var result = await _h.RunAsync("token", "init", "--label", "roles-anywhere");

        result.AssertExit(2);
        Assert.Contains("--pins-stdin", result.Errors, StringComparison.Ordinal);
        Assert.Contains("--so-pin-file", result.Errors, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Init_LabelAlreadyExists_Exit1AndNoSecondToken()
    {
        await _h.InitTokenAsync();

        var again = await _h.RunWithInputAsync($"{OperatorHarness.SoPin}\n{OperatorHarness.Pin}\n", "token", "init", "--label", "roles-anywhere", "--pins-stdin");
        var list = await _h.RunAsync("token", "list", "--json");

        again.AssertExit(1);
        Assert.Contains("already exists", again.Errors, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list.Output);
        Assert.Single(json.RootElement.GetProperty("tokens").EnumerateArray(), t => t.GetProperty("label").GetString() == "roles-anywhere");
    }

    public static TheoryData<string> KeyFormats() => new()
    {
        "openssl-pkcs8-rsa", "openssl-pkcs1-rsa", "openssl-sec1-ec", "openssl-encrypted-pkcs8",
        "dotnet-pkcs8-ec-p384", "dotnet-pkcs1-rsa", "dotnet-encrypted-pkcs8-ec",
    };

    [SoftHsmTheory]
    [MemberData(nameof(KeyFormats))]
    public async Task ImportKey_EachPemFormat_ImportedNonExtractableAndTestSignsWithItsCertificate(string format)
    {
        await _h.InitTokenAsync();
        const string passphrase = "correct horse 42";
        string? password = format.Contains("encrypted", StringComparison.Ordinal) ? passphrase : null;
        string pem = format switch
        {
            "openssl-pkcs8-rsa" => _h.Openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
            "openssl-pkcs1-rsa" => _h.Openssl("genrsa", "-traditional", "2048"),
            "openssl-sec1-ec" => _h.Openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout"),
            "openssl-encrypted-pkcs8" => EncryptWithOpenssl(_h.Openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"), passphrase),
            "dotnet-pkcs8-ec-p384" => ECDsa.Create(ECCurve.NamedCurves.nistP384).ExportPkcs8PrivateKeyPem(),
            "dotnet-pkcs1-rsa" => RSA.Create(2048).ExportRSAPrivateKeyPem(),
            "dotnet-encrypted-pkcs8-ec" => ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportEncryptedPkcs8PrivateKeyPem(passphrase,
                new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000)),
            _ => throw new ArgumentException(format),
        };
        Assert.StartsWith(format switch
        {
            "openssl-pkcs1-rsa" or "dotnet-pkcs1-rsa" => "-----BEGIN RSA PRIVATE KEY-----",
            "openssl-sec1-ec" => "-----BEGIN EC PRIVATE KEY-----",
            _ when password is not null => "-----BEGIN ENCRYPTED PRIVATE KEY-----",
            _ => "-----BEGIN PRIVATE KEY-----",
        }, pem.TrimStart(), StringComparison.Ordinal);
        using AsymmetricAlgorithm key = TestPki.Load(pem, password);
        string args = password is null ? "" : _h.Write("passphrase", passphrase + "\n");

        var import = password is null
            ? await _h.RunWithInputAsync(OperatorHarness.Pin + "\n" + pem, "token", "import-key", "--token", "roles-anywhere", "--label", "ra-key", "--id", "01", "--pin-stdin")
            : await _h.RunWithInputAsync(OperatorHarness.Pin + "\n" + pem, "token", "import-key", "--token", "roles-anywhere", "--label", "ra-key", "--id", "01", "--pin-stdin", "--passphrase-file", args);
        await _h.ImportCertificateAsync(TestPki.SelfSigned(key, "CN=agent-1"));
        var sign = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        import.AssertExit(0);
        sign.AssertExit(0);
        Assert.StartsWith("OK ", sign.Output, StringComparison.Ordinal);
        _h.AssertKeyNotExtractable("01");
        Assert.Contains("sensitive, not extractable", import.Output, StringComparison.Ordinal);
    }

    private string EncryptWithOpenssl(string pkcs8, string passphrase)
    {
        string input = _h.Write("plain.pem", pkcs8);
        string pass = _h.Write("openssl-pass", passphrase + "\n");
        return _h.Openssl("pkcs8", "-topk8", "-in", input, "-v2", "aes-256-cbc", "-passout", "file:" + pass);
    }

    [SoftHsmFact]
    public async Task ImportKey_FlagsOnToken_SensitiveTrueExtractableFalseTokenTrueWithPublicKey()
    {
        await _h.InitTokenAsync();
        await _h.ImportKeyAsync(RSA.Create(2048).ExportPkcs8PrivateKeyPem());

        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile, "--json");
        var dump = _h.Tool("pkcs11-tool", null, "--module", OperatorHarness.Module, "--token-label", "roles-anywhere", "--login", "--pin", OperatorHarness.Pin, "--list-objects");

        list.AssertExit(0);
        using var json = JsonDocument.Parse(list.Output);
        var objects = json.RootElement.GetProperty("objects").EnumerateArray().ToList();
        var key = Assert.Single(objects, o => o.GetProperty("class").GetString() == "private-key");
        Assert.True(key.GetProperty("sensitive").GetBoolean());
        Assert.False(key.GetProperty("extractable").GetBoolean());
        Assert.Equal("01", key.GetProperty("id").GetString());
        Assert.Single(objects, o => o.GetProperty("class").GetString() == "public-key" && o.GetProperty("id").GetString() == "01");
        // pkcs11-tool prints "Access: sensitive, always sensitive, never extractable, local" style flags for the key.
        Assert.Contains("sensitive", dump.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("-----BEGIN", list.Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task ImportKey_EncryptedWithoutPassphraseAndNoTerminal_Exit2NothingImported()
    {
        await _h.InitTokenAsync();
        string pem = RSA.Create(2048).ExportEncryptedPkcs8PrivateKeyPem("pw-123", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000));

        var import = await _h.RunWithInputAsync(OperatorHarness.Pin + "\n" + pem, "token", "import-key", "--token", "roles-anywhere", "--id", "01", "--pin-stdin");
        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile, "--json");

        import.AssertExit(2);
        Assert.Contains("--passphrase-file", import.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("private-key", list.Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task ImportKey_NotAKey_Exit2WithoutEchoingTheInput()
    {
        await _h.InitTokenAsync();

        var import = await _h.RunWithInputAsync(OperatorHarness.Pin + "\n-----BEGIN PRIVATE KEY-----\nnot-base64!!\n-----END PRIVATE KEY-----\n", "token", "import-key", "--token", "roles-anywhere", "--pin-stdin");

        import.AssertExit(2);
        Assert.DoesNotContain("not-base64", import.Errors, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task ImportCert_CertificateOfAnotherKey_RefusedNamingBothAndNothingWritten()
    {
        await _h.InitTokenAsync();
        await _h.ImportKeyAsync(RSA.Create(2048).ExportPkcs8PrivateKeyPem());
        string other = TestPki.SelfSigned(RSA.Create(2048), "CN=someone-else");

        var import = await _h.RunWithInputAsync(other, "token", "import-cert", "--token", "roles-anywhere", "--label", "ra-cert", "--id", "01", "--pin-file", _h.PinFile);
        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile);

        import.AssertExit(1);
        Assert.Contains("CN=someone-else", import.Errors, StringComparison.Ordinal);
        Assert.Contains("label='ra-key' id=01", import.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("certificate", list.Output.Split('\n').Skip(3).FirstOrDefault() ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain("CN=someone-else", list.Output, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadCertificates() => new()
    {
        { "expired", "expired on" },
        { "not-yet-valid", "not valid yet" },
        { "no-key-usage", "no keyUsage extension" },
        { "key-usage-without-digital-signature", "lacks digitalSignature" },
        { "v1", "v1 certificate" },
    };

    [SoftHsmTheory]
    [MemberData(nameof(BadCertificates))]
    public async Task ImportCert_RolesAnywhereRequirementNotMet_Exit1SayingWhich(string kind, string expected)
    {
        await _h.InitTokenAsync();
        var key = RSA.Create(2048);
        await _h.ImportKeyAsync(key.ExportPkcs8PrivateKeyPem());
        var now = DateTimeOffset.UtcNow;
        string pem = kind switch
        {
            "expired" => TestPki.SelfSigned(key, "CN=old", now.AddDays(-60), now.AddDays(-1)),
            "not-yet-valid" => TestPki.SelfSigned(key, "CN=future", now.AddDays(2), now.AddDays(60)),
            "no-key-usage" => TestPki.SelfSigned(key, "CN=nokeyusage", usage: null),
            "key-usage-without-digital-signature" => TestPki.SelfSigned(key, "CN=encipher", usage: X509KeyUsageFlags.KeyEncipherment),
            "v1" => OpensslV1Certificate(key),
            _ => throw new ArgumentException(kind),
        };

        var import = await _h.RunWithInputAsync(pem, "token", "import-cert", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        import.AssertExit(1);
        Assert.Contains(expected, import.Errors, StringComparison.Ordinal);
    }

    private string OpensslV1Certificate(RSA key)
    {
        // openssl x509 -req without extensions issues a version 1 certificate.
        string keyFile = _h.Write("v1.key", key.ExportPkcs8PrivateKeyPem());
        string csr = _h.Write("v1.csr", _h.Openssl("req", "-new", "-key", keyFile, "-subj", "/CN=v1"));
        string cert = _h.Openssl("x509", "-req", "-in", csr, "-signkey", keyFile, "-days", "30");
        Assert.Contains("Version: 1", _h.Tool("openssl", cert, "x509", "-noout", "-text").Output, StringComparison.Ordinal);
        return cert;
    }

    [SoftHsmTheory]
    [InlineData("rsa2048", "RSA 2048")]
    [InlineData("rsa3072", "RSA 3072")]
    [InlineData("ec-p256", "EC 256")]
    [InlineData("ec-p384", "EC 384")]
    public async Task GenerateKey_ThenCsr_KeyStaysInTokenAndOpensslVerifiesTheCsr(string type, string described)
    {
        await _h.InitTokenAsync();

        var generate = await _h.RunAsync("token", "generate-key", "--token", "roles-anywhere", "--label", "ra-key", "--id", "02", "--type", type, "--pin-file", _h.PinFile);
        var csr = await _h.RunAsync("token", "csr", "--token", "roles-anywhere", "--id", "02", "--subject", "CN=agent-7,O=Example Corp", "--pin-file", _h.PinFile);
        var verify = _h.Tool("openssl", csr.Output, "req", "-verify", "-noout", "-subject");

        generate.AssertExit(0);
        Assert.Contains(described, generate.Output, StringComparison.Ordinal);
        Assert.Contains("Generating", generate.Errors, StringComparison.Ordinal);
        csr.AssertExit(0);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", csr.Output, StringComparison.Ordinal);
        Assert.True(verify.Exit == 0, verify.Errors);
        Assert.Contains("verify OK", verify.Output + verify.Errors, StringComparison.Ordinal);
        Assert.Contains("CN = agent-7", verify.Output, StringComparison.Ordinal);
        _h.AssertKeyNotExtractable("02");
    }

    [SoftHsmFact]
    public async Task GenerateKey_IdAlreadyUsed_Exit1PointingToRotateKey()
    {
        await _h.ProvisionAsync();

        var generate = await _h.RunAsync("token", "generate-key", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        generate.AssertExit(1);
        Assert.Contains("rotate-key", generate.Errors, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task List_TokenWithPin_TableShowsClassesFlagsAndCertificateDetails()
    {
        await _h.ProvisionAsync();

        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile);

        list.AssertExit(0);
        Assert.Matches(@"private-key\s+ra-key\s+01\s+RSA 2048\s+yes\s+no", list.Output);
        Assert.Matches(@"certificate\s+ra-cert\s+01\s+.*CN=agent-1\s+CN=agent-1\s+\d{4}-\d\d-\d\d", list.Output);
        Assert.DoesNotContain("-----BEGIN", list.Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task List_WithoutPin_PublicObjectsOnlyAndSaysWhy()
    {
        await _h.ProvisionAsync();

        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere");

        list.AssertExit(0);
        Assert.Contains("ra-cert", list.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("private-key", list.Output, StringComparison.Ordinal);
        Assert.Contains("not logged in", list.Output, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task Delete_CertificateClassWithYes_OnlyTheCertificateIsGone()
    {
        await _h.ProvisionAsync();

        var delete = await _h.RunAsync("token", "delete", "--token", "roles-anywhere", "--id", "01", "--class", "certificate", "--yes", "--pin-file", _h.PinFile);
        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile, "--json");

        delete.AssertExit(0);
        Assert.Contains("Deleted 1 object(s)", delete.Output, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(list.Output);
        var classes = json.RootElement.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("class").GetString()).Order().ToList();
        Assert.Equal(["private-key", "public-key"], classes);
    }

    [SoftHsmFact]
    public async Task Delete_NoYesAndNoTerminal_Exit2NothingDeleted()
    {
        await _h.ProvisionAsync();

        var delete = await _h.RunAsync("token", "delete", "--token", "roles-anywhere", "--label", "ra-key", "--pin-file", _h.PinFile);
        var sign = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        delete.AssertExit(2);
        Assert.Contains("--yes", delete.Errors, StringComparison.Ordinal);
        sign.AssertExit(0);
    }

    [SoftHsmFact]
    public async Task TestSign_NoCertificateForTheKey_Exit1NamingTheCertificate()
    {
        await _h.InitTokenAsync();
        await _h.ImportKeyAsync(ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportPkcs8PrivateKeyPem());

        var sign = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        sign.AssertExit(1);
        Assert.Contains("Certificate not found", sign.Errors, StringComparison.Ordinal);
    }

    [SoftHsmFact]
    public async Task TokenCommands_WrongPinOrLabelOrOption_ExitCodesAndNoPinInOutput()
    {
        await _h.ProvisionAsync();
        string wrong = _h.Write("wrong-pin", "99999999\n");
        _h.AddSecret("99999999");

        var wrongPin = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-file", wrong);
        var wrongLabel = await _h.RunAsync("token", "test-sign", "--token", "roles-anywher", "--id", "01", "--pin-file", _h.PinFile);
        var unknownOption = await _h.RunAsync("token", "list", "--pin", OperatorHarness.Pin);
        var badId = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "zz", "--pin-file", _h.PinFile);

        wrongPin.AssertExit(1);
        Assert.Contains("CKR_PIN_INCORRECT", wrongPin.Errors, StringComparison.Ordinal);
        wrongLabel.AssertExit(1);
        Assert.Contains("roles-anywhere", wrongLabel.Errors, StringComparison.Ordinal);
        unknownOption.AssertExit(2);
        badId.AssertExit(2);
    }
}

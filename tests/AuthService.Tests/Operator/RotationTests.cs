using System.Security.Cryptography;
using System.Text.Json;

namespace AuthService.Tests.OperatorCli;

/// <summary>rotate-cert and rotate-key leave exactly one working key/certificate pair under the profile's id and labels.</summary>
[Collection(OperatorTestGroup.Name)]
public sealed class RotationTests : IDisposable
{
    private readonly OperatorHarness _h = new();

    public void Dispose() => _h.Dispose();

    private async Task<List<(string Class, string Label, string Id, string? Subject)>> ObjectsAsync()
    {
        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile, "--json");
        list.AssertExit(0);
        using var json = JsonDocument.Parse(list.Output);
        return json.RootElement.GetProperty("objects").EnumerateArray()
            .Select(o => (o.GetProperty("class").GetString()!, o.GetProperty("label").GetString()!, o.GetProperty("id").GetString()!,
                o.TryGetProperty("subject", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null))
            .OrderBy(o => o.Item1, StringComparer.Ordinal).ToList();
    }

    private async Task AssertOnePairAsync(string expectedSubject)
    {
        var objects = await ObjectsAsync();
        Assert.Equal(
            [("certificate", "ra-cert", "01"), ("private-key", "ra-key", "01"), ("public-key", "ra-key", "01")],
            objects.Select(o => (o.Class, o.Label, o.Id)).ToList());
        Assert.Equal(expectedSubject, objects[0].Subject);
        var sign = await _h.RunAsync("token", "test-sign", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);
        sign.AssertExit(0);
    }

    [SoftHsmFact]
    public async Task RotateCert_NewCertificateForSameKey_ExactlyOnePairWithTheNewCertificate()
    {
        RSA key = await _h.ProvisionAsync();
        string renewed = TestPki.SelfSigned(key, "CN=agent-1-renewed");

        var rotate = await _h.RunWithInputAsync(OperatorHarness.Pin + "\n" + renewed, "token", "rotate-cert", "--token", "roles-anywhere", "--id", "01", "--pin-stdin");

        rotate.AssertExit(0);
        Assert.Contains("CN=agent-1-renewed", rotate.Output, StringComparison.Ordinal);
        await AssertOnePairAsync("CN=agent-1-renewed");
    }

    [SoftHsmFact]
    public async Task RotateCert_CertificateOfAnotherKey_RefusedAndOldPairKept()
    {
        await _h.ProvisionAsync();
        string foreign = TestPki.SelfSigned(RSA.Create(2048), "CN=foreign");

        var rotate = await _h.RunWithInputAsync(foreign, "token", "rotate-cert", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        rotate.AssertExit(1);
        Assert.Contains("CN=foreign", rotate.Errors, StringComparison.Ordinal);
        await AssertOnePairAsync("CN=agent-1");
    }

    [SoftHsmFact]
    public async Task RotateCert_ExpiredCertificate_RefusedAndOldPairKept()
    {
        RSA key = await _h.ProvisionAsync();
        string expired = TestPki.SelfSigned(key, "CN=expired", DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));

        var rotate = await _h.RunWithInputAsync(expired, "token", "rotate-cert", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        rotate.AssertExit(1);
        Assert.Contains("expired", rotate.Errors, StringComparison.Ordinal);
        await AssertOnePairAsync("CN=agent-1");
    }

    [SoftHsmFact]
    public async Task RotateKey_NewEcKeyAndCertificate_ExactlyOnePairUnderTheSameIdAndLabels()
    {
        await _h.ProvisionAsync();
        var next = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string certFile = _h.Write("next.crt", TestPki.SelfSigned(next, "CN=agent-1-next-key"));

        var rotate = await _h.RunWithInputAsync(OperatorHarness.Pin + "\n" + next.ExportECPrivateKeyPem(), "token", "rotate-key", "--token", "roles-anywhere", "--id", "01", "--cert-file", certFile, "--pin-stdin");
        var list = await _h.RunAsync("token", "list", "--token", "roles-anywhere", "--pin-file", _h.PinFile);

        rotate.AssertExit(0);
        await AssertOnePairAsync("CN=agent-1-next-key");
        Assert.Matches(@"private-key\s+ra-key\s+01\s+EC 256\s+yes\s+no", list.Output);
        _h.AssertKeyNotExtractable("01");
    }

    [SoftHsmFact]
    public async Task RotateKey_CertificateNotForTheNewKey_NothingChanges()
    {
        await _h.ProvisionAsync();
        string certFile = _h.Write("wrong.crt", TestPki.SelfSigned(RSA.Create(2048), "CN=wrong"));

        var rotate = await _h.RunWithInputAsync(OperatorHarness.Pin + "\n" + RSA.Create(2048).ExportPkcs8PrivateKeyPem(), "token", "rotate-key", "--token", "roles-anywhere", "--id", "01", "--cert-file", certFile, "--pin-stdin");

        rotate.AssertExit(1);
        Assert.Contains("nothing was changed", rotate.Errors, StringComparison.Ordinal);
        await AssertOnePairAsync("CN=agent-1");
    }

    [SoftHsmFact]
    public async Task RotateKey_GenerateThenRotateCert_PendingKeyBecomesTheOnlyPair()
    {
        await _h.ProvisionAsync();
        using var ca = RSA.Create(2048);

        var generate = await _h.RunAsync("token", "rotate-key", "--token", "roles-anywhere", "--id", "01", "--generate", "ec-p384", "--pin-file", _h.PinFile);
        var during = await ObjectsAsync();
        string csrFile = _h.Write("next.csr", generate.Output);
        string caKey = _h.Write("ca.key", ca.ExportPkcs8PrivateKeyPem());
        string caCert = _h.Write("ca.crt", TestPki.SelfSigned(ca, "CN=Test CA", usage: System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign));
        string ext = _h.Write("ext", "keyUsage=critical,digitalSignature\n");
        string issued = _h.Openssl("x509", "-req", "-in", csrFile, "-CA", caCert, "-CAkey", caKey, "-days", "90", "-extfile", ext);
        var complete = await _h.RunWithInputAsync(issued, "token", "rotate-cert", "--token", "roles-anywhere", "--id", "01", "--pin-file", _h.PinFile);

        generate.AssertExit(0);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", generate.Output, StringComparison.Ordinal);
        Assert.Contains(during, o => o.Label == "ra-key.pending" && o.Class == "private-key");
        Assert.Contains(during, o => o.Label == "ra-key" && o.Id == "01" && o.Class == "private-key");
        complete.AssertExit(0);
        await AssertOnePairAsync("CN=agent-1");
        Assert.DoesNotContain(await ObjectsAsync(), o => o.Label.EndsWith(".pending", StringComparison.Ordinal));
    }
}

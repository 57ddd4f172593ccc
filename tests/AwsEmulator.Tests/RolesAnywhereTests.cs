using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

/// <summary>CreateSession over HTTP with certificates generated here: every acceptance and rejection rule.</summary>
public sealed class RolesAnywhereTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly X509Certificate2 _root = TestPki.Root("Test Root CA", Now);
    private readonly ECDsa _ecKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly RSA _rsaKey = RSA.Create(2048);

    [Fact]
    public async Task CreateSession_RsaCertificate_Returns201WithRealShape()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _rsaKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf);

        Assert.Equal(201, reply.Status);
        var set = reply.Body["credentialSet"]![0]!;
        var credentials = set["credentials"]!;
        Assert.StartsWith("ASIA", credentials["accessKeyId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(20, credentials["accessKeyId"]!.GetValue<string>().Length);
        Assert.False(string.IsNullOrEmpty(credentials["secretAccessKey"]!.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(credentials["sessionToken"]!.GetValue<string>()));
        var expiration = DateTimeOffset.ParseExact(credentials["expiration"]!.GetValue<string>(), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(expiration - emulator.Time.GetUtcNow(), TimeSpan.FromSeconds(3599), TimeSpan.FromSeconds(3600));
        Assert.Equal(TestSeeds.RoleArn(TestSeeds.AppRole), set["roleArn"]!.GetValue<string>());
        Assert.Equal("CN=test-client", set["sourceIdentity"]!.GetValue<string>());
        Assert.StartsWith("arn:aws:sts::123456789012:assumed-role/app-reader/", set["assumedRoleUser"]!["arn"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.StartsWith("arn:aws:rolesanywhere:us-east-1:123456789012:subject/", reply.Body["subjectArn"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_IssuedCredentials_ReadSecretsOfTheRole()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));
        var credentials = (await SendAsync(emulator, leaf)).Body["credentialSet"]![0]!["credentials"]!;
        var session = new TestCredentials(credentials["accessKeyId"]!.GetValue<string>(), credentials["secretAccessKey"]!.GetValue<string>(), credentials["sessionToken"]!.GetValue<string>());

        var allowed = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session);
        var denied = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "other/key" }, session);
        emulator.Time.Advance(TimeSpan.FromSeconds(3601));
        var expired = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session);

        Assert.Equal(200, allowed.Status);
        Assert.Equal("AccessDeniedException", denied.ErrorType);
        Assert.Equal("ExpiredTokenException", expired.ErrorType);
    }

    [Theory]
    [InlineData("P-256")]
    [InlineData("P-384")]
    public async Task CreateSession_EcdsaCertificate_Returns201(string curve)
    {
        await using var emulator = await StartAsync();
        using var key = ECDsa.Create(curve == "P-256" ? ECCurve.NamedCurves.nistP256 : ECCurve.NamedCurves.nistP384);
        using var leaf = TestPki.Leaf(_root, key, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf);

        Assert.Equal(201, reply.Status);
    }

    [Fact]
    public async Task CreateSession_IntermediateInChainHeader_Returns201()
    {
        await using var emulator = await StartAsync();
        using var intermediate = TestPki.Intermediate(_root, "Test Issuing CA", Now);
        using var leaf = TestPki.Leaf(intermediate, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, chain: [intermediate]);

        Assert.Equal(201, reply.Status);
    }

    [Fact]
    public async Task CreateSession_IntermediateMissing_UntrustedSigningCertificate()
    {
        await using var emulator = await StartAsync();
        using var intermediate = TestPki.Intermediate(_root, "Test Issuing CA", Now);
        using var leaf = TestPki.Leaf(intermediate, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf);

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_CertificateFromOtherCa_UntrustedSigningCertificate()
    {
        await using var emulator = await StartAsync();
        using var otherRoot = TestPki.Root("Other CA", Now);
        using var leaf = TestPki.Leaf(otherRoot, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf);

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_ExpiredCertificate_UntrustedSigningCertificate()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-10), Now.AddMinutes(-1));

        var reply = await SendAsync(emulator, leaf);

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_NotYetValidCertificate_UntrustedSigningCertificate()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddHours(1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf);

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_NoDigitalSignatureKeyUsage_UntrustedSigningCertificate()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30), X509KeyUsageFlags.KeyEncipherment);

        var reply = await SendAsync(emulator, leaf);

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_SignedByOtherKey_InvalidSignature()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var reply = await SendAsync(emulator, leaf, signingKey: otherKey);

        AssertDenied(reply, "Invalid signature");
    }

    [Fact]
    public async Task CreateSession_RsaKeyUnderEcdsaCertificate_InvalidSignature()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, signingKey: _rsaKey);

        AssertDenied(reply, "Invalid signature");
    }

    [Theory]
    [InlineData(-6)]
    [InlineData(6)]
    public async Task CreateSession_ClockSkewOverFiveMinutes_AccessDenied(int minutes)
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, signedAt: emulator.Time.GetUtcNow().AddMinutes(minutes));

        Assert.Equal(403, reply.Status);
        Assert.Equal("AccessDeniedException", reply.ErrorType);
        Assert.StartsWith("Signature expired", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_EmptyChainHeader_ValidationException()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, emptyChain: true);

        Assert.Equal(400, reply.Status);
        Assert.Equal("ValidationException", reply.ErrorType);
    }

    [Fact]
    public async Task CreateSession_SignedForOtherRegion_ValidationException()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, region: "eu-west-1");

        Assert.Equal(400, reply.Status);
        Assert.Equal("ValidationException", reply.ErrorType);
        Assert.Contains("Region mismatch", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_ProfileInOtherRegionThanAnchor_ValidationException()
    {
        var seed = TestSeeds.Document(_root.ExportCertificatePem());
        seed.Profiles.Add(new Seed.SeedProfile { Id = "22222222-3333-4444-5555-666666666666", Region = "eu-west-1", RoleArns = [TestSeeds.RoleArn(TestSeeds.AppRole)] });
        await using var emulator = await EmulatorFixture.StartAsync(Seed.SeedLoader.Resolve(seed, "."));
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, profileArn: $"arn:aws:rolesanywhere:eu-west-1:{TestSeeds.Account}:profile/22222222-3333-4444-5555-666666666666");

        Assert.Equal(400, reply.Status);
        Assert.Equal("ValidationException", reply.ErrorType);
        Assert.Contains("Region mismatch", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_DisabledTrustAnchor_UntrustedSigningCertificate()
    {
        var seed = TestSeeds.Document(_root.ExportCertificatePem());
        seed.TrustAnchors[0].Enabled = false;
        await using var emulator = await EmulatorFixture.StartAsync(Seed.SeedLoader.Resolve(seed, "."));
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf);

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_UnknownTrustAnchor_UntrustedSigningCertificate()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, anchorArn: TestSeeds.AnchorArn.Replace("aaaaaaaa", "ffffffff", StringComparison.Ordinal));

        AssertDenied(reply, "Untrusted Signing Certificate");
    }

    [Fact]
    public async Task CreateSession_UnknownProfile_ResourceNotFound()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, profileArn: TestSeeds.ProfileArn.Replace("11111111", "99999999", StringComparison.Ordinal));

        Assert.Equal(404, reply.Status);
        Assert.Equal("ResourceNotFoundException", reply.ErrorType);
    }

    [Theory]
    [InlineData(TestSeeds.OtherRole)]
    [InlineData("missing-role")]
    [InlineData("never-heard-of")]
    public async Task CreateSession_RoleNotListedOrUnknown_AccessDenied(string role)
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, roleArn: TestSeeds.RoleArn(role));

        Assert.Equal(403, reply.Status);
        Assert.Equal("AccessDeniedException", reply.ErrorType);
        Assert.Contains(TestSeeds.RoleArn(role), reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(899)]
    [InlineData(43201)]
    public async Task CreateSession_DurationOutOfRange_ValidationException(int seconds)
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, body: $"{{\"durationSeconds\":{seconds}}}");

        Assert.Equal("ValidationException", reply.ErrorType);
        Assert.Contains("durationSeconds", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_DurationAboveProfileCap_ExpiresAtTheCap()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, body: "{\"durationSeconds\":43200}");

        var expiration = DateTimeOffset.Parse(reply.Body["credentialSet"]![0]!["credentials"]!["expiration"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.InRange(expiration - emulator.Time.GetUtcNow(), TimeSpan.FromSeconds(7199), TimeSpan.FromSeconds(7200));
    }

    [Fact]
    public async Task CreateSession_RoleSessionNameNotAccepted_ValidationException()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _ecKey, Now.AddDays(-1), Now.AddDays(30));

        var reply = await SendAsync(emulator, leaf, body: "{\"durationSeconds\":3600,\"roleSessionName\":\"x\"}");

        Assert.Equal("ValidationException", reply.ErrorType);
    }

    public void Dispose()
    {
        _root.Dispose();
        _ecKey.Dispose();
        _rsaKey.Dispose();
    }

    private static void AssertDenied(JsonReply reply, string message)
    {
        Assert.Equal(403, reply.Status);
        Assert.Equal("AccessDeniedException", reply.ErrorType);
        Assert.Equal(message, reply.Body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task CreateSession_ShortLivedFault_CredentialsExpireAfterTheLifetimeThenNormalAgain()
    {
        await using var emulator = await StartAsync();
        using var leaf = TestPki.Leaf(_root, _rsaKey, Now.AddDays(-1), Now.AddDays(30));
        using var set = await emulator.Client.Http.PutAsync(
            new Uri(emulator.Server.HttpAddress, "/admin/faults"),
            new StringContent("""{"faults":[{"operation":"CreateSession","kind":"shortLived","lifetimeSeconds":5,"count":1}]}""", System.Text.Encoding.UTF8, "application/json"));

        var shortLived = (await SendAsync(emulator, leaf)).Body["credentialSet"]![0]!["credentials"]!;
        var normal = (await SendAsync(emulator, leaf)).Body["credentialSet"]![0]!["credentials"]!;
        var issuedAt = emulator.Time.GetUtcNow();
        var session = new TestCredentials(shortLived["accessKeyId"]!.GetValue<string>(), shortLived["secretAccessKey"]!.GetValue<string>(), shortLived["sessionToken"]!.GetValue<string>());
        emulator.Time.Advance(TimeSpan.FromSeconds(6));
        var expired = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session);

        Assert.Equal(System.Net.HttpStatusCode.OK, set.StatusCode);
        DateTimeOffset Expiration(System.Text.Json.Nodes.JsonNode credentials) => DateTimeOffset.ParseExact(
            credentials["expiration"]!.GetValue<string>(), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        Assert.InRange(Expiration(shortLived) - issuedAt, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(6));
        Assert.InRange(Expiration(normal) - issuedAt, TimeSpan.FromSeconds(3590), TimeSpan.FromSeconds(3601));
        Assert.Equal("ExpiredTokenException", expired.ErrorType);
    }

    [Fact]
    public async Task AdminFaults_ShortLivedOnOtherOperationOrWithoutLifetime_400ListingBoth()
    {
        await using var emulator = await StartAsync();

        using var response = await emulator.Client.Http.PutAsync(
            new Uri(emulator.Server.HttpAddress, "/admin/faults"),
            new StringContent("""{"faults":[{"operation":"GetSecretValue","kind":"shortLived"}]}""", System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("lifetimeSeconds must be 1..3600", body, StringComparison.Ordinal);
        Assert.Contains("CreateSession only", body, StringComparison.Ordinal);
    }

    private Task<EmulatorFixture> StartAsync() => EmulatorFixture.StartAsync(TestSeeds.Model(_root.ExportCertificatePem()));

    private static async Task<JsonReply> SendAsync(EmulatorFixture emulator, X509Certificate2 leaf, IReadOnlyList<X509Certificate2>? chain = null,
        AsymmetricAlgorithm? signingKey = null, DateTimeOffset? signedAt = null, bool emptyChain = false, string? region = null,
        string? anchorArn = null, string? profileArn = null, string? roleArn = null, string? body = null)
    {
        using var request = new CreateSessionRequest
        {
            Endpoint = emulator.Server.HttpAddress,
            Certificate = leaf,
            SigningKey = signingKey,
            Chain = chain ?? [],
            SendEmptyChainHeader = emptyChain,
            SignedAt = signedAt ?? emulator.Time.GetUtcNow(),
            Region = region ?? TestSeeds.Region,
            TrustAnchorArn = anchorArn ?? TestSeeds.AnchorArn,
            ProfileArn = profileArn ?? TestSeeds.ProfileArn,
            RoleArn = roleArn ?? TestSeeds.RoleArn(TestSeeds.AppRole),
            Body = body ?? "{\"durationSeconds\":3600}",
        }.Build();
        var reply = await emulator.Client.SendAsync(request);
        Assert.True(reply.Status == 201 || reply.ErrorType is not null, reply.Raw);
        return reply;
    }
}

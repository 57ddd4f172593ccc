using System.Net;
using System.Text.Json.Nodes;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

public class ImdsTests
{
    [Fact]
    public async Task Credentials_WithToken_ReturnsRoleAndWorkingCredentials()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var token = await TokenAsync(emulator, "21600");

        var role = await GetAsync(emulator, "/latest/meta-data/iam/security-credentials/", token);
        var document = await GetAsync(emulator, "/latest/meta-data/iam/security-credentials/" + TestSeeds.AppRole, token);
        var json = JsonNode.Parse(document.Body)!;
        var session = new TestCredentials(json["AccessKeyId"]!.GetValue<string>(), json["SecretAccessKey"]!.GetValue<string>(), json["Token"]!.GetValue<string>());
        var secret = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session);

        Assert.Equal(TestSeeds.AppRole, role.Body);
        Assert.Equal("Success", json["Code"]!.GetValue<string>());
        Assert.Equal("AWS-HMAC", json["Type"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", json["Expiration"]!.GetValue<string>());
        Assert.Equal(200, secret.Status);
    }

    [Fact]
    public async Task Credentials_NearExpiry_AreReplaced()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var path = "/latest/meta-data/iam/security-credentials/" + TestSeeds.AppRole;
        var first = JsonNode.Parse((await GetAsync(emulator, path, await TokenAsync(emulator, "21600"))).Body)!;

        var same = JsonNode.Parse((await GetAsync(emulator, path, await TokenAsync(emulator, "21600"))).Body)!;
        emulator.Time.Advance(TimeSpan.FromHours(5) + TimeSpan.FromMinutes(50));
        var replaced = JsonNode.Parse((await GetAsync(emulator, path, await TokenAsync(emulator, "21600"))).Body)!;

        Assert.Equal(first["AccessKeyId"]!.GetValue<string>(), same["AccessKeyId"]!.GetValue<string>());
        Assert.NotEqual(first["AccessKeyId"]!.GetValue<string>(), replaced["AccessKeyId"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    public async Task Credentials_WithoutValidToken_401(string? token)
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await GetAsync(emulator, "/latest/meta-data/iam/security-credentials/", token);

        Assert.Equal(401, reply.Status);
    }

    [Fact]
    public async Task Credentials_TokenPastTtl_401()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var token = await TokenAsync(emulator, "60");
        emulator.Time.Advance(TimeSpan.FromSeconds(61));

        var reply = await GetAsync(emulator, "/latest/meta-data/iam/security-credentials/", token);

        Assert.Equal(401, reply.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0")]
    [InlineData("21601")]
    public async Task Token_MissingOrBadTtl_400(string? ttl)
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(emulator.Server.HttpAddress, "/latest/api/token"));
        if (ttl is not null)
        {
            request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        }

        using var response = await emulator.Client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Token_Forwarded_400()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(emulator.Server.HttpAddress, "/latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", "60");
        request.Headers.Add("X-Forwarded-For", "10.0.0.1");

        using var response = await emulator.Client.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [BotocoreFact]
    public async Task BotocoreImdsFetcher_ReadsRoleCredentials()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var result = await Botocore.RunAsync(new { mode = "imds", endpoint = emulator.Server.HttpAddress.ToString().TrimEnd('/') });

        var credentials = result["credentials"]!;
        Assert.StartsWith("ASIA", credentials["access_key"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(credentials["token"]!.GetValue<string>()));
        Assert.Equal(TestSeeds.AppRole, credentials["role_name"]!.GetValue<string>());
    }

    internal static async Task<string> TokenAsync(EmulatorFixture emulator, string ttl)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(emulator.Server.HttpAddress, "/latest/api/token"));
        request.Headers.Add("X-aws-ec2-metadata-token-ttl-seconds", ttl);
        using var response = await emulator.Client.Http.SendAsync(request);
        Assert.Equal(ttl, response.Headers.GetValues("X-aws-ec2-metadata-token-ttl-seconds").Single());
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<(int Status, string Body)> GetAsync(EmulatorFixture emulator, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(emulator.Server.HttpAddress, path));
        if (token is not null)
        {
            request.Headers.Add("X-aws-ec2-metadata-token", token);
        }

        using var response = await emulator.Client.Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}

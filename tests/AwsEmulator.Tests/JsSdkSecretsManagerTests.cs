using System.Text.Json.Nodes;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

/// <summary>The AWS JavaScript SDK v3 against the running emulator: accepted when right, refused when not.</summary>
public class JsSdkSecretsManagerTests
{
    [JsSdkFact]
    public async Task JsSdk_ReadsStringBinaryAndDescribe_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var results = await RunAsync(emulator, EmulatorFixture.Reader,
            new { op = "GetSecretValue", @params = new { SecretId = "app/db" } },
            new { op = "GetSecretValue", @params = new { SecretId = "app/blob" } },
            new { op = "DescribeSecret", @params = new { SecretId = "app/db" } },
            new { op = "BatchGetSecretValue", @params = new { SecretIdList = new[] { "app/db", "app/none" } } },
            new { op = "ListSecrets", @params = new { MaxResults = 2 } });

        Assert.Equal("{\"user\":\"app\",\"password\":\"p@ss\"}", Ok(results[0])["SecretString"]!.GetValue<string>());
        Assert.Equal("AAEC/w==", Ok(results[1])["SecretBinary"]!.GetValue<string>());
        Assert.Equal("database", Ok(results[2])["Description"]!.GetValue<string>());
        Assert.Equal("ResourceNotFoundException", Ok(results[3])["Errors"]![0]!["ErrorCode"]!.GetValue<string>());
        Assert.Equal(2, Ok(results[4])["SecretList"]!.AsArray().Count);
    }

    [JsSdkFact]
    public async Task JsSdk_TemporaryCredentialsAndRotation_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var read = await RunAsync(emulator, session, new { op = "GetSecretValue", @params = new { SecretId = "app/db" } });
        var rotated = await RunAsync(emulator, EmulatorFixture.Writer,
            new { op = "PutSecretValue", @params = new { SecretId = "app/db", SecretString = "js-rotated" } },
            new { op = "GetSecretValue", @params = new { SecretId = "app/db" } });

        Assert.NotNull(Ok(read[0])["SecretString"]);
        Assert.Equal("js-rotated", Ok(rotated[1])["SecretString"]!.GetValue<string>());
    }

    [JsSdkFact]
    public async Task JsSdk_WrongKeyExpiredTokenDenied_RealErrorNames()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var expired = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromSeconds(-1));
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var wrongKey = await RunAsync(emulator, EmulatorFixture.Reader with { SecretAccessKey = "js-wrong-key-js-wrong-key-js-wrong-key" },
            new { op = "GetSecretValue", @params = new { SecretId = "app/db" } });
        var expiredToken = await RunAsync(emulator, expired, new { op = "GetSecretValue", @params = new { SecretId = "app/db" } });
        var denied = await RunAsync(emulator, session, new { op = "GetSecretValue", @params = new { SecretId = "other/key" } });

        Assert.Equal("InvalidSignatureException", Error(wrongKey[0])["code"]!.GetValue<string>());
        Assert.Equal("ExpiredTokenException", Error(expiredToken[0])["code"]!.GetValue<string>());
        Assert.Equal("AccessDeniedException", Error(denied[0])["code"]!.GetValue<string>());
        Assert.StartsWith("User: arn:aws:sts::123456789012:assumed-role/app-reader/", Error(denied[0])["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static Task<JsonArray> RunAsync(EmulatorFixture emulator, TestCredentials credentials, params object[] calls) =>
        JsSdk.RunAsync(new
        {
            endpoint = emulator.Server.HttpAddress.ToString().TrimEnd('/'),
            region = TestSeeds.Region,
            accessKeyId = credentials.AccessKeyId,
            secretAccessKey = credentials.SecretAccessKey,
            sessionToken = credentials.SessionToken,
            calls,
        });

    private static JsonObject Ok(JsonNode? result) =>
        result!["ok"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"JS SDK call failed: {result.ToJsonString()}");

    private static JsonObject Error(JsonNode? result) =>
        result!["error"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"JS SDK call succeeded: {result.ToJsonString()}");
}

using System.Xml.Linq;
using AwsEmulator.Tests.Support;
using static AwsEmulator.Tests.BotocoreSecretsManagerTests;

namespace AwsEmulator.Tests;

/// <summary>botocore's STS client (awsQuery) and its presigned URLs against the emulator.</summary>
public class BotocoreStsTests
{
    [BotocoreFact]
    public async Task BotocoreClient_AssumeRoleThenReadSecret_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var identity = await RunClientAsync(emulator, EmulatorFixture.Reader, Call("get_caller_identity", new { }, "sts"));
        var assumed = await RunClientAsync(emulator, EmulatorFixture.Reader,
            Call("assume_role", new { RoleArn = TestSeeds.RoleArn(TestSeeds.AppRole), RoleSessionName = "boto", DurationSeconds = 900 }, "sts"));
        var credentials = Ok(assumed[0])["Credentials"]!;
        var session = new TestCredentials(credentials["AccessKeyId"]!.GetValue<string>(), credentials["SecretAccessKey"]!.GetValue<string>(), credentials["SessionToken"]!.GetValue<string>());
        var read = await RunClientAsync(emulator, session, Call("get_secret_value", new { SecretId = "app/db" }), Call("get_caller_identity", new { }, "sts"));

        Assert.Equal("arn:aws:iam::123456789012:user/reader", Ok(identity[0])["Arn"]!.GetValue<string>());
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/app-reader/boto", Ok(assumed[0])["AssumedRoleUser"]!["Arn"]!.GetValue<string>());
        Assert.NotNull(Ok(read[0])["SecretString"]);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/app-reader/boto", Ok(read[1])["Arn"]!.GetValue<string>());
    }

    [BotocoreFact]
    public async Task BotocoreClient_GetSessionTokenAndErrors_ParseAsRealSts()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var results = await RunClientAsync(emulator, EmulatorFixture.Reader,
            Call("get_session_token", new { DurationSeconds = 900 }, "sts"),
            Call("assume_role", new { RoleArn = TestSeeds.RoleArn(TestSeeds.OtherRole), RoleSessionName = "boto" }, "sts"));
        var wrongKey = await RunClientAsync(emulator, EmulatorFixture.Reader with { SecretAccessKey = "nope-nope-nope-nope-nope-nope-nope-nope" },
            Call("get_caller_identity", new { }, "sts"));

        Assert.StartsWith("ASIA", Ok(results[0])["Credentials"]!["AccessKeyId"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("AccessDenied", Error(results[1])["code"]!.GetValue<string>());
        Assert.Equal(403, Error(results[1])["status"]!.GetValue<int>());
        Assert.Equal("SignatureDoesNotMatch", Error(wrongKey[0])["code"]!.GetValue<string>());
    }

    [BotocoreFact]
    public async Task BotocorePresignedUrl_GetCallerIdentity_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var url = await PresignAsync(emulator, EmulatorFixture.Reader);

        using var response = await emulator.Client.Http.GetAsync(new Uri(url));
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("arn:aws:iam::123456789012:user/reader", StsTests.Value(xml, "Arn"));
    }

    [BotocoreFact]
    public async Task BotocorePresignedUrl_ParameterChanged_SignatureDoesNotMatch()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var url = await PresignAsync(emulator, EmulatorFixture.Reader);

        using var response = await emulator.Client.Http.GetAsync(new Uri(url.Replace("X-Amz-Expires=900", "X-Amz-Expires=901", StringComparison.Ordinal)));
        var xml = XDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Contains("X-Amz-Expires=900", url, StringComparison.Ordinal);
        Assert.Equal(403, (int)response.StatusCode);
        Assert.Equal("SignatureDoesNotMatch", StsTests.Value(xml, "Code"));
    }

    [BotocoreFact]
    public async Task BotocorePresignedUrl_TemporaryCredentials_TokenInQueryAccepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));
        var url = await PresignAsync(emulator, session);

        using var response = await emulator.Client.Http.GetAsync(new Uri(url));

        Assert.Contains("X-Amz-Security-Token=", url, StringComparison.Ordinal);
        Assert.Equal(200, (int)response.StatusCode);
    }

    private static async Task<string> PresignAsync(EmulatorFixture emulator, TestCredentials credentials)
    {
        var result = await Botocore.RunAsync(new
        {
            mode = "presign",
            service = "sts",
            region = TestSeeds.Region,
            access_key = credentials.AccessKeyId,
            secret_key = credentials.SecretAccessKey,
            token = credentials.SessionToken,
            method = "GET",
            url = new Uri(emulator.Server.HttpAddress, "/?Action=GetCallerIdentity&Version=2011-06-15").ToString(),
            expires = 900,
        });
        return result["url"]!.GetValue<string>();
    }
}

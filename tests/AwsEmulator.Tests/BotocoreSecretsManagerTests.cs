using System.Text;
using System.Text.Json.Nodes;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

/// <summary>A real AWS SDK (botocore) against the running emulator: it must be accepted when right, refused when not.</summary>
public class BotocoreSecretsManagerTests
{
    [BotocoreFact]
    public async Task BotocoreClient_ReadsEveryKindOfSecret_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var results = await RunClientAsync(emulator, EmulatorFixture.Reader,
            Call("get_secret_value", new { SecretId = "app/db" }),
            Call("get_secret_value", new { SecretId = "app/blob" }),
            Call("get_secret_value", new { SecretId = "app/db", VersionStage = "AWSPREVIOUS" }),
            Call("describe_secret", new { SecretId = "app/db" }),
            Call("list_secrets", new { MaxResults = 2 }));

        Assert.Equal("{\"user\":\"app\",\"password\":\"p@ss\"}", Ok(results[0])["SecretString"]!.GetValue<string>());
        Assert.Equal("AAEC/w==", Ok(results[1])["SecretBinary"]!.GetValue<string>());
        Assert.Equal("old-password", Ok(results[2])["SecretString"]!.GetValue<string>());
        Assert.Equal("database", Ok(results[3])["Description"]!.GetValue<string>());
        Assert.Equal(2, Ok(results[4])["SecretList"]!.AsArray().Count);
        Assert.Equal(3, emulator.Server.Get<Admin.RequestCounters>().Operation("GetSecretValue"));
    }

    [BotocoreFact]
    public async Task BotocoreClient_RotatesWithPutAndUpdateStage_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var results = await RunClientAsync(emulator, EmulatorFixture.Writer,
            Call("put_secret_value", new { SecretId = "app/db", SecretString = "new", ClientRequestToken = "33333333-3333-3333-3333-333333333333" }),
            Call("get_secret_value", new { SecretId = "app/db" }),
            Call("update_secret_version_stage", new { SecretId = "app/db", VersionStage = "AWSCURRENT", MoveToVersionId = "00000000-0000-0000-0000-000000000002", RemoveFromVersionId = "33333333-3333-3333-3333-333333333333" }),
            Call("get_secret_value", new { SecretId = "app/db" }));

        Assert.Equal("new", Ok(results[1])["SecretString"]!.GetValue<string>());
        Assert.Equal("00000000-0000-0000-0000-000000000002", Ok(results[3])["VersionId"]!.GetValue<string>());
    }

    [BotocoreFact]
    public async Task BotocoreClient_ErrorsParseToRealCodes()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var results = await RunClientAsync(emulator, session,
            Call("get_secret_value", new { SecretId = "app/none" }),
            Call("get_secret_value", new { SecretId = "other/key" }));

        Assert.Equal("ResourceNotFoundException", Error(results[0])["code"]!.GetValue<string>());
        Assert.Equal("Secrets Manager can't find the specified secret.", Error(results[0])["message"]!.GetValue<string>());
        Assert.Equal("AccessDeniedException", Error(results[1])["code"]!.GetValue<string>());
        Assert.StartsWith("User: arn:aws:sts::123456789012:assumed-role/app-reader/", Error(results[1])["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [BotocoreFact]
    public async Task BotocoreClient_TemporaryCredentialsWithToken_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var results = await RunClientAsync(emulator, session, Call("get_secret_value", new { SecretId = "app/db" }));

        Assert.NotNull(Ok(results[0])["SecretString"]);
    }

    [BotocoreFact]
    public async Task BotocoreClient_WrongSecretKey_InvalidSignature()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var results = await RunClientAsync(emulator, EmulatorFixture.Reader with { SecretAccessKey = "not-the-right-key-0123456789abcdefghij" },
            Call("get_secret_value", new { SecretId = "app/db" }));

        Assert.Equal("InvalidSignatureException", Error(results[0])["code"]!.GetValue<string>());
        Assert.Equal(400, Error(results[0])["status"]!.GetValue<int>());
    }

    [BotocoreFact]
    public async Task BotocoreClient_ExpiredToken_ExpiredTokenException()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);
        var expired = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromSeconds(-1));

        var results = await RunClientAsync(emulator, expired, Call("get_secret_value", new { SecretId = "app/db" }));

        Assert.Equal("ExpiredTokenException", Error(results[0])["code"]!.GetValue<string>());
    }

    [BotocoreFact]
    public async Task BotocoreSignedRequest_SentUnchanged_Accepted()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var reply = await SendBotocoreSignedAsync(emulator, "{\"SecretId\":\"app/db\"}", (_, _) => { });

        Assert.Equal(200, reply.Status);
    }

    [BotocoreFact]
    public async Task BotocoreSignedRequest_OneBodyByteChanged_InvalidSignature()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var reply = await SendBotocoreSignedAsync(emulator, "{\"SecretId\":\"app/db\"}", (_, _) => { }, sentBody: "{\"SecretId\":\"app/dc\"}");

        Assert.Equal("InvalidSignatureException", reply.ErrorType);
    }

    [BotocoreFact]
    public async Task BotocoreSignedRequest_SignedHeaderChanged_InvalidSignature()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var reply = await SendBotocoreSignedAsync(emulator, "{\"SecretId\":\"app/db\"}",
            (headers, _) => headers["X-Amz-Target"] = "secretsmanager.DescribeSecret");

        Assert.Equal("InvalidSignatureException", reply.ErrorType);
    }

    [BotocoreFact]
    public async Task BotocoreSignedRequest_SignatureByteChanged_InvalidSignature()
    {
        await using var emulator = await EmulatorFixture.StartAsync(realClock: true);

        var reply = await SendBotocoreSignedAsync(emulator, "{\"SecretId\":\"app/db\"}", (headers, _) =>
        {
            var authorization = headers["Authorization"];
            headers["Authorization"] = authorization[..^1] + (authorization[^1] == 'a' ? 'b' : 'a');
        });

        Assert.Equal("InvalidSignatureException", reply.ErrorType);
    }

    internal static object Call(string op, object parameters, string service = "secretsmanager") => new { service, op, @params = parameters };

    internal static async Task<JsonArray> RunClientAsync(EmulatorFixture emulator, TestCredentials credentials, params object[] calls) =>
        await RunClientAsync(emulator.Server.HttpAddress.ToString(), credentials, calls);

    internal static async Task<JsonArray> RunClientAsync(string endpoint, TestCredentials credentials, object[] calls, string? caBundle = null)
    {
        var job = new Dictionary<string, object?>
        {
            ["mode"] = "client",
            ["endpoint"] = endpoint.TrimEnd('/'),
            ["region"] = TestSeeds.Region,
            ["access_key"] = credentials.AccessKeyId,
            ["secret_key"] = credentials.SecretAccessKey,
            ["token"] = credentials.SessionToken,
            ["calls"] = calls,
        };
        if (caBundle is not null)
        {
            job["ca_bundle"] = caBundle;
        }

        return (await Botocore.RunAsync(job))["results"]!.AsArray();
    }

    internal static JsonObject Ok(JsonNode? result) =>
        result!["ok"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"botocore call failed: {result.ToJsonString()}");

    internal static JsonObject Error(JsonNode? result) =>
        result!["error"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"botocore call succeeded: {result.ToJsonString()}");

    /// <summary>botocore signs (SigV4Auth); this process sends, optionally changing headers or body after signing.</summary>
    private static async Task<JsonReply> SendBotocoreSignedAsync(EmulatorFixture emulator, string body, Action<Dictionary<string, string>, object?> tamper, string? sentBody = null)
    {
        var url = emulator.Server.HttpAddress.ToString();
        var signed = await Botocore.RunAsync(new
        {
            mode = "sign",
            service = "secretsmanager",
            region = TestSeeds.Region,
            access_key = TestSeeds.ReaderKey,
            secret_key = TestSeeds.ReaderSecret,
            method = "POST",
            url,
            headers = new Dictionary<string, string> { ["Content-Type"] = "application/x-amz-json-1.1", ["X-Amz-Target"] = "secretsmanager.GetSecretValue" },
            body,
        });
        var headers = signed["headers"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<string>());
        tamper(headers, null);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(sentBody ?? body)) };
        foreach (var (name, value) in headers)
        {
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await emulator.Client.SendAsync(request);
    }
}

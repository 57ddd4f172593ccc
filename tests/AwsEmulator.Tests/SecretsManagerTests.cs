using System.Text.Json.Nodes;
using AwsEmulator.Admin;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

public class SecretsManagerTests
{
    [Fact]
    public async Task GetSecretValue_Current_ReturnsJsonStringAndStages()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);

        Assert.Equal(200, reply.Status);
        Assert.Equal("{\"user\":\"app\",\"password\":\"p@ss\"}", reply.Body["SecretString"]!.GetValue<string>());
        Assert.Equal("00000000-0000-0000-0000-000000000002", reply.Body["VersionId"]!.GetValue<string>());
        Assert.Equal("AWSCURRENT", reply.Body["VersionStages"]![0]!.GetValue<string>());
        Assert.Equal(System.Text.Json.JsonValueKind.Number, JsonValueKind(reply.Body["CreatedDate"]));
        Assert.Null(reply.Body["SecretBinary"]);
    }

    [Fact]
    public async Task GetSecretValue_ByPreviousStageAndByArn_ReturnsThatVersion()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var arn = emulator.Server.Get<Seed.EmulatorModel>().Secrets[0].Arn;

        var previous = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = arn, VersionStage = "AWSPREVIOUS" }, EmulatorFixture.Reader);
        var partialArn = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = arn[..^7] }, EmulatorFixture.Reader);

        Assert.Equal("old-password", previous.Body["SecretString"]!.GetValue<string>());
        Assert.Equal(200, partialArn.Status);
    }

    [Fact]
    public async Task GetSecretValue_Binary_ReturnsBase64()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/blob" }, EmulatorFixture.Reader);

        Assert.Equal("AAEC/w==", reply.Body["SecretBinary"]!.GetValue<string>());
        Assert.Null(reply.Body["SecretString"]);
    }

    [Fact]
    public async Task GetSecretValue_Unknown_ResourceNotFound()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/none" }, EmulatorFixture.Reader);

        Assert.Equal(400, reply.Status);
        Assert.Equal("ResourceNotFoundException", reply.ErrorType);
        Assert.Equal("Secrets Manager can't find the specified secret.", reply.Body["Message"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetSecretValue_UnknownStage_ResourceNotFoundNamingTheStage()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db", VersionStage = "AWSPENDING" }, EmulatorFixture.Reader);

        Assert.Equal("ResourceNotFoundException", reply.ErrorType);
        Assert.Equal("Secrets Manager can't find the specified secret value for staging label: AWSPENDING", reply.ErrorMessage);
    }

    [Fact]
    public async Task GetSecretValue_OutsideRolePermissions_AccessDeniedWithRealShape()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));
        var otherArn = emulator.Server.Get<Seed.EmulatorModel>().Secrets.Single(s => s.Name == "other/key").Arn;

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "other/key" }, session);

        Assert.Equal(400, reply.Status);
        Assert.Equal("AccessDeniedException", reply.ErrorType);
        Assert.Equal(
            $"User: arn:aws:sts::123456789012:assumed-role/app-reader/test-session is not authorized to perform: secretsmanager:GetSecretValue on resource: {otherArn} because no identity-based policy allows the secretsmanager:GetSecretValue action",
            reply.Body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetSecretValue_RoleSessionWithToken_Succeeds()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/blob" }, session);

        Assert.Equal(200, reply.Status);
    }

    [Fact]
    public async Task GetSecretValue_SessionTokenMissingOrWrong_UnrecognizedClient()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var missing = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session with { SessionToken = null });
        var wrong = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session with { SessionToken = session.SessionToken + "x" });

        Assert.Equal("UnrecognizedClientException", missing.ErrorType);
        Assert.Equal("The security token included in the request is invalid.", missing.ErrorMessage);
        Assert.Equal("UnrecognizedClientException", wrong.ErrorType);
    }

    [Fact]
    public async Task GetSecretValue_AfterCredentialsExpire_ExpiredToken()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromMinutes(15));
        emulator.Time.Advance(TimeSpan.FromMinutes(15));

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session);

        Assert.Equal(400, reply.Status);
        Assert.Equal("ExpiredTokenException", reply.ErrorType);
        Assert.Equal("The security token included in the request is expired", reply.ErrorMessage);
    }

    [Fact]
    public async Task GetSecretValue_WrongSecretKey_InvalidSignature()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader with { SecretAccessKey = "wrong-secret-key-0123456789abcdefghij" });

        Assert.Equal("InvalidSignatureException", reply.ErrorType);
        Assert.StartsWith("The request signature we calculated does not match", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecretValue_UnknownKey_UnrecognizedClient()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader with { AccessKeyId = "AKIAUNKNOWN000000000" });

        Assert.Equal("UnrecognizedClientException", reply.ErrorType);
    }

    [Fact]
    public async Task GetSecretValue_SignedSixMinutesAgo_InvalidSignatureExpired()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader, emulator.Time.GetUtcNow().AddMinutes(-6));

        Assert.Equal("InvalidSignatureException", reply.ErrorType);
        Assert.StartsWith("Signature expired:", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_Unsigned_MissingAuthenticationToken()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, emulator.Server.HttpAddress) { Content = new StringContent("{}") };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "secretsmanager.ListSecrets");

        var reply = await emulator.Client.SendAsync(request);

        Assert.Equal("MissingAuthenticationTokenException", reply.ErrorType);
    }

    [Theory]
    [InlineData("{\"MaxResults\":\"ten\"}")]
    [InlineData("{\"SecretId\":42}")]
    [InlineData("not json")]
    public async Task Request_WrongJsonTypes_SerializationException(string body)
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var list = await emulator.Client.SecretsManagerAsync(body.Contains("SecretId", StringComparison.Ordinal) ? "GetSecretValue" : "ListSecrets", body, EmulatorFixture.Reader);

        Assert.Equal(400, list.Status);
        Assert.Equal("SerializationException", list.ErrorType);
    }

    [Fact]
    public async Task Request_UnknownOperation_UnknownOperationException()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("DeleteSecret", new { SecretId = "app/db" }, EmulatorFixture.Writer);

        Assert.Equal("UnknownOperationException", reply.ErrorType);
    }

    [Fact]
    public async Task DescribeSecret_Existing_ReturnsStagesAndTags()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("DescribeSecret", new { SecretId = "app/db" }, EmulatorFixture.Reader);

        Assert.Equal("database", reply.Body["Description"]!.GetValue<string>());
        Assert.Equal("core", reply.Body["Tags"]![0]!["Value"]!.GetValue<string>());
        Assert.Equal("AWSCURRENT", reply.Body["VersionIdsToStages"]!["00000000-0000-0000-0000-000000000002"]![0]!.GetValue<string>());
        Assert.Null(reply.Body["SecretString"]);
    }

    [Fact]
    public async Task ListSecrets_PagedByTwo_ReturnsEverySecretOnceThenNoToken()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var first = await emulator.Client.SecretsManagerAsync("ListSecrets", new { MaxResults = 2 }, EmulatorFixture.Reader);
        var second = await emulator.Client.SecretsManagerAsync("ListSecrets", new { MaxResults = 2, NextToken = first.Body["NextToken"]!.GetValue<string>() }, EmulatorFixture.Reader);

        Assert.Equal(2, first.Body["SecretList"]!.AsArray().Count);
        Assert.Single(second.Body["SecretList"]!.AsArray());
        Assert.Null(second.Body["NextToken"]);
    }

    [Fact]
    public async Task ListSecrets_NameFilter_ReturnsMatchesOnly()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("ListSecrets", new { Filters = new[] { new { Key = "name", Values = new[] { "other/" } } } }, EmulatorFixture.Reader);

        Assert.Equal("other/key", reply.Body["SecretList"]!.AsArray().Single()!["Name"]!.GetValue<string>());
    }

    [Fact]
    public async Task ListSecrets_BadNextToken_InvalidNextTokenException()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("ListSecrets", new { NextToken = "%%%" }, EmulatorFixture.Reader);

        Assert.Equal("InvalidNextTokenException", reply.ErrorType);
    }

    [Fact]
    public async Task BatchGetSecretValue_MixedIds_ValuesAndPerSecretErrorsIn200()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromHours(1));

        var reply = await emulator.Client.SecretsManagerAsync("BatchGetSecretValue", new { SecretIdList = new[] { "app/db", "other/key", "app/none" } }, session);

        Assert.Equal(200, reply.Status);
        Assert.Equal("app/db", reply.Body["SecretValues"]!.AsArray().Single()!["Name"]!.GetValue<string>());
        var errors = reply.Body["Errors"]!.AsArray().Select(e => (e!["SecretId"]!.GetValue<string>(), e["ErrorCode"]!.GetValue<string>())).ToList();
        Assert.Contains(("other/key", "AccessDeniedException"), errors);
        Assert.Contains(("app/none", "ResourceNotFoundException"), errors);
        Assert.Equal(1, emulator.Server.Get<RequestCounters>().Secret("app/db", "BatchGetSecretValue"));
        Assert.Equal(0, emulator.Server.Get<RequestCounters>().Secret("app/db", "GetSecretValue"));
    }

    [Fact]
    public async Task BatchGetSecretValue_IdsAndFilters_InvalidParameter()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("BatchGetSecretValue",
            new { SecretIdList = new[] { "app/db" }, Filters = new[] { new { Key = "name", Values = new[] { "app" } } } }, EmulatorFixture.Reader);

        Assert.Equal("InvalidParameterException", reply.ErrorType);
    }

    [Fact]
    public async Task PutSecretValue_NewValue_BecomesCurrentAndOldBecomesPrevious()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var put = await emulator.Client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "rotated", ClientRequestToken = "11111111-1111-1111-1111-111111111111" }, EmulatorFixture.Writer);
        var current = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);
        var previous = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db", VersionStage = "AWSPREVIOUS" }, EmulatorFixture.Reader);
        var oldest = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db", VersionId = "00000000-0000-0000-0000-000000000001" }, EmulatorFixture.Reader);

        Assert.Equal("11111111-1111-1111-1111-111111111111", put.Body["VersionId"]!.GetValue<string>());
        Assert.Equal("rotated", current.Body["SecretString"]!.GetValue<string>());
        Assert.Equal("00000000-0000-0000-0000-000000000002", previous.Body["VersionId"]!.GetValue<string>());
        Assert.Empty(oldest.Body["VersionStages"]!.AsArray());
    }

    [Fact]
    public async Task PutSecretValue_SameTokenOtherValue_ResourceExists()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var token = "22222222-2222-2222-2222-222222222222";
        await emulator.Client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "one", ClientRequestToken = token }, EmulatorFixture.Writer);

        var again = await emulator.Client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "one", ClientRequestToken = token }, EmulatorFixture.Writer);
        var changed = await emulator.Client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "two", ClientRequestToken = token }, EmulatorFixture.Writer);

        Assert.Equal(200, again.Status);
        Assert.Equal("ResourceExistsException", changed.ErrorType);
    }

    [Fact]
    public async Task PutSecretValue_ReaderOnly_AccessDenied()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "x" }, EmulatorFixture.Reader);

        Assert.Equal("AccessDeniedException", reply.ErrorType);
        Assert.Contains("secretsmanager:PutSecretValue", reply.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateSecretVersionStage_MoveCurrentWithoutRemoveFrom_InvalidParameter()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("UpdateSecretVersionStage",
            new { SecretId = "app/db", VersionStage = "AWSCURRENT", MoveToVersionId = "00000000-0000-0000-0000-000000000001" }, EmulatorFixture.Writer);

        Assert.Equal("InvalidParameterException", reply.ErrorType);
    }

    [Fact]
    public async Task UpdateSecretVersionStage_RollBack_MovesCurrentAndPrevious()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var reply = await emulator.Client.SecretsManagerAsync("UpdateSecretVersionStage",
            new { SecretId = "app/db", VersionStage = "AWSCURRENT", MoveToVersionId = "00000000-0000-0000-0000-000000000001", RemoveFromVersionId = "00000000-0000-0000-0000-000000000002" }, EmulatorFixture.Writer);
        var current = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);
        var previous = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db", VersionStage = "AWSPREVIOUS" }, EmulatorFixture.Reader);

        Assert.Equal(200, reply.Status);
        Assert.Equal("old-password", current.Body["SecretString"]!.GetValue<string>());
        Assert.Equal("00000000-0000-0000-0000-000000000002", previous.Body["VersionId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Counters_TwoReadsOfOneSecret_CountedPerOperationAndSecret()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);
        await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, EmulatorFixture.Reader);
        await emulator.Client.SecretsManagerAsync("DescribeSecret", new { SecretId = "app/blob" }, EmulatorFixture.Reader);
        var counters = JsonNode.Parse(await emulator.Client.Http.GetStringAsync(new Uri(emulator.Server.HttpAddress, "/admin/counters")))!;

        Assert.Equal(2, counters["operations"]!["GetSecretValue"]!.GetValue<long>());
        Assert.Equal(2, counters["secrets"]!["app/db"]!["GetSecretValue"]!.GetValue<long>());
        Assert.Equal(1, emulator.Server.Get<RequestCounters>().Secret("app/blob", "DescribeSecret"));
    }

    [Fact]
    public async Task ListSecretVersionIds_AfterRotation_ListsStagedVersionsAndDeprecatedOnRequest()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        await emulator.Client.SecretsManagerAsync("PutSecretValue", new { SecretId = "app/db", SecretString = "v3" }, EmulatorFixture.Writer);

        var staged = await emulator.Client.SecretsManagerAsync("ListSecretVersionIds", new { SecretId = "app/db" }, EmulatorFixture.Reader);
        var all = await emulator.Client.SecretsManagerAsync("ListSecretVersionIds", new { SecretId = "app/db", IncludeDeprecated = true }, EmulatorFixture.Reader);

        Assert.Equal(2, staged.Body["Versions"]!.AsArray().Count);
        Assert.Equal(3, all.Body["Versions"]!.AsArray().Count);
        Assert.Equal("app/db", staged.Body["Name"]!.GetValue<string>());
    }

    private static System.Text.Json.JsonValueKind JsonValueKind(JsonNode? node) => node!.GetValueKind();
}

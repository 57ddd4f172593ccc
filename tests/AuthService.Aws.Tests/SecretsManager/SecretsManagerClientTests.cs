using System.Net;
using System.Text.Json.Nodes;
using AuthService.Aws.Credentials;
using AuthService.Aws.Protocol;
using AuthService.Aws.SecretsManager;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.SecretsManager;

public class SecretsManagerClientTests
{
    private static readonly AwsCredentials Credentials = new("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "session-token-example");

    private static readonly DateTimeOffset Now = new(2025, 12, 11, 15, 34, 25, TimeSpan.Zero);

    private const string GetSecretValueJson = """
        {"ARN":"arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3","CreatedDate":1523477145.713,
         "Name":"MyTestDatabaseSecret","SecretString":"{\"username\":\"david\"}","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1","VersionStages":["AWSCURRENT"]}
        """;

    private static (SecretsManagerClient Client, RecordingHandler Handler) Client(RecordingHandler handler, Dictionary<string, string>? environment = null, Uri? endpoint = null)
    {
        var options = new SecretsManagerClientOptions
        {
            Region = "us-west-2",
            Endpoint = endpoint,
            Client = new AwsClientOptions { Environment = name => environment?.GetValueOrDefault(name) },
        };
        var client = new SecretsManagerClient(new HttpClient(handler), new StaticCredentialsProvider(Credentials), new FakeTimeProvider(Now), options);
        client.Sender.DelayAsync = (_, _) => Task.CompletedTask;
        return (client, handler);
    }

    private static HttpResponseMessage Ok(string json) => RecordingHandler.Json(HttpStatusCode.OK, json, "application/x-amz-json-1.1");

    [Fact]
    public async Task GetSecretValueAsync_Secret_SendsAwsJson11RequestAndParsesResponse()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok(GetSecretValueJson)));

        // Act
        var value = await client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "MyTestDatabaseSecret" });

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("https://secretsmanager.us-west-2.amazonaws.com/", sent.Uri.ToString());
        Assert.Equal("application/x-amz-json-1.1", sent.Header("Content-Type"));
        Assert.Equal("secretsmanager.GetSecretValue", sent.Header("X-Amz-Target"));
        Assert.Equal("""{"SecretId":"MyTestDatabaseSecret"}""", sent.BodyText);
        Assert.Equal("session-token-example", sent.Header("X-Amz-Security-Token"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/20251211/us-west-2/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("""{"username":"david"}""", value.SecretString);
        Assert.Equal(new DateTimeOffset(2018, 4, 11, 20, 5, 45, 713, TimeSpan.Zero), value.CreatedDate);
        Assert.Equal(["AWSCURRENT"], value.VersionStages!);
        Assert.Equal("arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestDatabaseSecret-a1b2c3", value.Arn);
    }

    [Fact]
    public async Task GetSecretValueAsync_BinarySecretWithIntegerEpoch_DecodesBase64()
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() => Ok("""{"SecretBinary":"AAEC","CreatedDate":1523477145}""")));

        // Act
        var value = await client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "bin", VersionStage = "AWSPREVIOUS" });

        // Assert
        Assert.Equal(new byte[] { 0, 1, 2 }, value.SecretBinary);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1523477145), value.CreatedDate);
    }

    [Fact]
    public async Task GetSecretValueAsync_ResultToString_RedactsValue()
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() => Ok(GetSecretValueJson)));

        // Act
        var text = (await client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "x" })).ToString();

        // Assert
        Assert.DoesNotContain("david", text, StringComparison.Ordinal);
        Assert.Contains("MyTestDatabaseSecret", text, StringComparison.Ordinal);
    }

    [BotocoreFact]
    public async Task GetSecretValueAsync_SignedRequest_MatchesBotocoreSignatureOfSameRequest()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok(GetSecretValueJson)));

        // Act
        await client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "prod/db", VersionStage = "AWSCURRENT" });
        var sent = Assert.Single(handler.Requests);
        var theirs = Botocore.Sign(new JsonObject
        {
            ["method"] = "POST",
            ["url"] = sent.Uri.ToString(),
            ["headers"] = new JsonArray(new JsonArray("Content-Type", sent.Header("Content-Type")), new JsonArray("X-Amz-Target", sent.Header("X-Amz-Target"))),
            ["body_base64"] = Convert.ToBase64String(sent.Body),
            ["region"] = "us-west-2",
            ["service"] = "secretsmanager",
            ["access_key_id"] = Credentials.AccessKeyId,
            ["secret_access_key"] = Credentials.SecretAccessKey,
            ["session_token"] = Credentials.SessionToken,
            ["timestamp"] = "2025-12-11T15:34:25Z",
            ["mode"] = "header",
            ["expires"] = 0,
        });

        // Assert
        Assert.Equal((string)theirs["authorization"]!, sent.Header("Authorization"));
    }

    [Fact]
    public async Task DescribeSecretAsync_Secret_ParsesMetadata()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok("""
            {"ARN":"arn:aws:secretsmanager:us-west-2:1:secret:a-1","Name":"a","Description":"d","RotationEnabled":true,
             "LastChangedDate":1700000000.5,"Tags":[{"Key":"team","Value":"data"}],
             "VersionIdsToStages":{"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1":["AWSCURRENT"]},"ReplicationStatus":[{"Region":"eu-west-1","Status":"InSync"}]}
            """)));

        // Act
        var metadata = await client.DescribeSecretAsync("a");

        // Assert
        Assert.Equal("secretsmanager.DescribeSecret", handler.Requests[0].Header("X-Amz-Target"));
        Assert.Equal("""{"SecretId":"a"}""", handler.Requests[0].BodyText);
        Assert.True(metadata.RotationEnabled);
        Assert.Equal("data", Assert.Single(metadata.Tags!).Value);
        Assert.Equal(["AWSCURRENT"], metadata.VersionIdsToStages!["EXAMPLE1-90ab-cdef-fedc-ba987SECRET1"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_500), metadata.LastChangedDate);
    }

    [Fact]
    public async Task BatchGetSecretValueAsync_SomeSecretsFail_ReturnsValuesAndPerItemErrors()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok("""
            {"SecretValues":[{"Name":"a","SecretString":"va"}],
             "Errors":[{"SecretId":"b","ErrorCode":"ResourceNotFoundException","Message":"not found"},{"SecretId":"c","ErrorCode":"DecryptionFailure","Message":"kms"}]}
            """)));

        // Act
        var result = await client.BatchGetSecretValueAsync(new BatchGetSecretValueRequest { SecretIdList = ["a", "b", "c"] });

        // Assert
        Assert.Equal("""{"SecretIdList":["a","b","c"]}""", handler.Requests[0].BodyText);
        Assert.Equal("secretsmanager.BatchGetSecretValue", handler.Requests[0].Header("X-Amz-Target"));
        Assert.Equal("va", Assert.Single(result.SecretValues).SecretString);
        Assert.Equal(["ResourceNotFoundException", "DecryptionFailure"], result.Errors.Select(e => e.ErrorCode));
        Assert.Equal("b", result.Errors[0].SecretId);
    }

    [Theory]
    [InlineData(true, true, null)]
    [InlineData(false, false, null)]
    [InlineData(true, false, 5)]
    [InlineData(false, true, 21)]
    public async Task BatchGetSecretValueAsync_InvalidCombination_ThrowsWithoutCallingAws(bool ids, bool filters, int? maxResults)
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok("{}")));
        var request = new BatchGetSecretValueRequest
        {
            SecretIdList = ids ? ["a"] : null,
            Filters = filters ? [new SecretsFilter { Key = "name", Values = ["a"] }] : null,
            MaxResults = maxResults,
        };

        // Act
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.BatchGetSecretValueAsync(request));

        // Assert
        Assert.Contains("BatchGetSecretValue", error.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task ListAllSecretsAsync_ThreePagesWithEmptyMiddlePage_FollowsNextTokenUntilAbsent()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(
            () => Ok("""{"SecretList":[{"Name":"a"},{"Name":"b"}],"NextToken":"t1"}"""),
            () => Ok("""{"SecretList":[],"NextToken":"t2"}"""),
            () => Ok("""{"SecretList":[{"Name":"c"}]}""")));

        // Act
        var names = new List<string?>();
        await foreach (var secret in client.ListAllSecretsAsync(new ListSecretsRequest { MaxResults = 2, Filters = [new SecretsFilter { Key = "tag-key", Values = ["!team"] }] }))
        {
            names.Add(secret.Name);
        }

        // Assert
        Assert.Equal(["a", "b", "c"], names);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("""{"MaxResults":2,"Filters":[{"Key":"tag-key","Values":["!team"]}]}""", handler.Requests[0].BodyText);
        Assert.Contains("\"NextToken\":\"t1\"", handler.Requests[1].BodyText, StringComparison.Ordinal);
        Assert.Contains("\"NextToken\":\"t2\"", handler.Requests[2].BodyText, StringComparison.Ordinal);
        Assert.All(handler.Requests, r => Assert.Equal("secretsmanager.ListSecrets", r.Header("X-Amz-Target")));
    }

    [Fact]
    public async Task ListAllSecretsAsync_ServerRepeatsToken_StopsWithError()
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() => Ok("""{"SecretList":[],"NextToken":"same"}""")));

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in client.ListAllSecretsAsync(new ListSecretsRequest()))
            {
            }
        });

        // Assert
        Assert.Contains("NextToken", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<HttpStatusCode, string, string, string> ErrorCases() => new()
    {
        { HttpStatusCode.BadRequest, """{"__type":"ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}""", "ResourceNotFoundException", "secret name or ARN" },
        { HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.secretsmanager#AccessDeniedException","message":"User is not authorized"}""", "AccessDeniedException", "role policy" },
        { HttpStatusCode.BadRequest, """{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}""", "UnrecognizedClientException", "credentials were rejected" },
        { HttpStatusCode.BadRequest, """{"__type":"DecryptionFailure","Message":"kms"}""", "DecryptionFailure", "kms:Decrypt" },
        { HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", "ThrottlingException", "lower the request rate" },
        { HttpStatusCode.InternalServerError, """{"__type":"InternalServiceError","Message":"boom"}""", "InternalServiceError", "try again later" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task GetSecretValueAsync_ErrorResponse_ThrowsCodeMessageAndHint(HttpStatusCode status, string body, string code, string hint)
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() =>
        {
            var response = RecordingHandler.Json(status, body, "application/x-amz-json-1.1");
            response.Headers.TryAddWithoutValidation("x-amzn-RequestId", "7d9e4c1a-0000-4000-8000-000000000000");
            return response;
        }));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "s" }));

        // Assert
        Assert.Equal(code, error.ErrorCode);
        Assert.Contains(hint, error.Message, StringComparison.Ordinal);
        Assert.Contains("7d9e4c1a-0000-4000-8000-000000000000", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Credentials.SecretAccessKey, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecretValueAsync_ThrottledThenOk_RetriesWithFreshSignature()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(
            () => RecordingHandler.Json(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}"""),
            () => Ok(GetSecretValueJson)));

        // Act
        var value = await client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "s" });

        // Assert
        Assert.Equal(2, handler.Requests.Count);
        Assert.NotNull(handler.Requests[1].Header("Authorization"));
        Assert.Equal("MyTestDatabaseSecret", value.Name);
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://127.0.0.1:4566/")]
    [InlineData("AWS_ENDPOINT_URL", "http://127.0.0.1:4566/")]
    public async Task GetSecretValueAsync_EndpointOverrideVariable_SendsThereAndSignsHostWithPort(string variable, string expected)
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok(GetSecretValueJson)), new Dictionary<string, string> { [variable] = "http://127.0.0.1:4566" });

        // Act
        await client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "s" });

        // Assert
        Assert.Equal(expected, handler.Requests[0].Uri.ToString());
        Assert.Equal(expected, client.Endpoint.ToString());
    }

    [Fact]
    public void Constructor_ServiceVariableAndGlobalVariable_ServiceSpecificWins()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = "http://global:1", ["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "http://sm:2" };

        // Act
        var (client, _) = Client(new RecordingHandler(), environment);

        // Assert
        Assert.Equal("http://sm:2/", client.Endpoint.ToString());
    }

    [Fact]
    public void Constructor_BadRegion_SaysHowToSetOne()
    {
        // Arrange
        var options = new SecretsManagerClientOptions { Region = "not a region" };

        // Act
        var error = Assert.Throws<ArgumentException>(() => new SecretsManagerClient(new HttpClient(), new StaticCredentialsProvider(Credentials), TimeProvider.System, options));

        // Assert
        Assert.Contains("us-east-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetSecretValueAsync_SuccessWithGarbageBody_ErrorDoesNotQuoteBody()
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() => Ok("""{"SecretString":12345, "x":"top-secret-value"}""")));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.GetSecretValueAsync(new GetSecretValueRequest { SecretId = "s" }));

        // Assert
        Assert.DoesNotContain("top-secret-value", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("12345", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("SecretString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSecretVersionIdsAsync_Secret_SendsRequestAndParsesVersions()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Ok("""
            {"ARN":"arn:aws:secretsmanager:us-west-2:1:secret:a-1","Name":"a","NextToken":"n",
             "Versions":[{"VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1","VersionStages":["AWSCURRENT"],"CreatedDate":1523477145.713,"KmsKeyIds":["DefaultEncryptionKey"]}]}
            """)));

        // Act
        var page = await client.ListSecretVersionIdsAsync(new ListSecretVersionIdsRequest { SecretId = "a", IncludeDeprecated = true, MaxResults = 10 });

        // Assert
        Assert.Equal("secretsmanager.ListSecretVersionIds", handler.Requests[0].Header("X-Amz-Target"));
        Assert.Equal("""{"SecretId":"a","MaxResults":10,"IncludeDeprecated":true}""", handler.Requests[0].BodyText);
        var version = Assert.Single(page.Versions);
        Assert.Equal(["AWSCURRENT"], version.VersionStages!);
        Assert.Equal("n", page.NextToken);
        Assert.Equal("a", page.Name);
    }
}

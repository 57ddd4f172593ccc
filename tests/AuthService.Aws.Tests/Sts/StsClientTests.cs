using System.Net;
using System.Text.Json.Nodes;
using AuthService.Aws.Credentials;
using AuthService.Aws.Protocol;
using AuthService.Aws.Sts;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Sts;

public class StsClientTests
{
    private static readonly AwsCredentials Source = new("AKIASOURCEEXAMPLE", "source/secret+key", "source-session-token");

    private static readonly DateTimeOffset Now = new(2025, 12, 11, 15, 34, 25, TimeSpan.Zero);

    // The success body of AWS-WIRE-SHAPES.md section 5.
    private const string AssumeRoleXml = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <AssumeRoleResult>
            <SourceIdentity>Alice</SourceIdentity>
            <AssumedRoleUser>
              <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
              <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
            </AssumedRoleUser>
            <Credentials>
              <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
              <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
              <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764</SessionToken>
              <Expiration>2019-11-09T13:34:41Z</Expiration>
            </Credentials>
            <PackedPolicySize>6</PackedPolicySize>
          </AssumeRoleResult>
          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
        </AssumeRoleResponse>
        """;

    private static (StsClient Client, RecordingHandler Handler) Client(RecordingHandler handler)
    {
        var client = new StsClient(new HttpClient(handler), new StaticCredentialsProvider(Source), new FakeTimeProvider(Now), "us-east-1",
            options: new AwsClientOptions { Environment = _ => null });
        client.Sender.DelayAsync = (_, _) => Task.CompletedTask;
        return (client, handler);
    }

    private static HttpResponseMessage Xml(HttpStatusCode status, string xml) => RecordingHandler.Json(status, xml, "text/xml");

    [Fact]
    public async Task AssumeRoleAsync_Request_IsSignedAwsQueryPostAndResultParsed()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Xml(HttpStatusCode.OK, AssumeRoleXml)));

        // Act
        var result = await client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::123456789012:role/demo", RoleSessionName = "TestAR", DurationSeconds = 3600, ExternalId = "ext 1" });

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("https://sts.us-east-1.amazonaws.com/", sent.Uri.ToString());
        Assert.Equal("application/x-www-form-urlencoded; charset=utf-8", sent.Header("Content-Type"));
        Assert.Equal("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=TestAR&DurationSeconds=3600&ExternalId=ext%201", sent.BodyText);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIASOURCEEXAMPLE/20251211/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, ", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Null(sent.Header("Accept"));
        Assert.Equal("ASIAIOSFODNN7EXAMPLE", result.Credentials.AccessKeyId);
        Assert.Equal("AQoDYXdzEPT//////////wEXAMPLEtc764", result.Credentials.SessionToken);
        Assert.Equal(new DateTimeOffset(2019, 11, 9, 13, 34, 41, TimeSpan.Zero), result.Credentials.Expiration);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/demo/TestAR", result.AssumedRoleArn);
        Assert.Equal("Alice", result.SourceIdentity);
    }

    [BotocoreFact]
    public async Task AssumeRoleAsync_SignedRequest_MatchesBotocoreSignatureOfSameRequest()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Xml(HttpStatusCode.OK, AssumeRoleXml)));

        // Act
        await client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "arn:aws:iam::123456789012:role/demo", RoleSessionName = "TestAR" });
        var sent = Assert.Single(handler.Requests);
        var theirs = Botocore.Sign(new JsonObject
        {
            ["method"] = "POST",
            ["url"] = sent.Uri.ToString(),
            ["headers"] = new JsonArray(new JsonArray("Content-Type", sent.Header("Content-Type"))),
            ["body_base64"] = Convert.ToBase64String(sent.Body),
            ["region"] = "us-east-1",
            ["service"] = "sts",
            ["access_key_id"] = Source.AccessKeyId,
            ["secret_access_key"] = Source.SecretAccessKey,
            ["session_token"] = Source.SessionToken,
            ["timestamp"] = "2025-12-11T15:34:25Z",
            ["mode"] = "header",
            ["expires"] = 0,
        });

        // Assert
        Assert.Equal((string)theirs["authorization"]!, sent.Header("Authorization"));
    }

    [Fact]
    public async Task GetSessionTokenAsync_Response_ParsesCredentials()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Xml(HttpStatusCode.OK, """
            <GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetSessionTokenResult><Credentials>
            <SessionToken>tok</SessionToken><SecretAccessKey>sec</SecretAccessKey><Expiration>2011-07-11T19:55:29.611Z</Expiration><AccessKeyId>ASIAGST</AccessKeyId>
            </Credentials></GetSessionTokenResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetSessionTokenResponse>
            """)));

        // Act
        var credentials = await client.GetSessionTokenAsync(durationSeconds: 900);

        // Assert
        Assert.Equal("Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900", handler.Requests[0].BodyText);
        Assert.Equal(new AwsCredentials("ASIAGST", "sec", "tok", new DateTimeOffset(2011, 7, 11, 19, 55, 29, 611, TimeSpan.Zero)), credentials);
    }

    [Fact]
    public async Task GetCallerIdentityAsync_Response_ParsesIdentity()
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() => Xml(HttpStatusCode.OK, """
            <GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
            <Arn>arn:aws:iam::123456789012:user/Alice</Arn><UserId>AIDACKCEVSQ6C2EXAMPLE</UserId><Account>123456789012</Account>
            </GetCallerIdentityResult></GetCallerIdentityResponse>
            """)));

        // Act
        var identity = await client.GetCallerIdentityAsync();

        // Assert
        Assert.Equal(new CallerIdentity("123456789012", "arn:aws:iam::123456789012:user/Alice", "AIDACKCEVSQ6C2EXAMPLE"), identity);
    }

    [Fact]
    public async Task AssumeRoleAsync_AccessDenied_ThrowsCodeAndTrustPolicyHintWithoutRetry()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(() => Xml(HttpStatusCode.Forbidden, """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x is not authorized to perform: sts:AssumeRole</Message></Error>
              <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
            </ErrorResponse>
            """)));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "r", RoleSessionName = "s1" }));

        // Assert
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal("c6104cbe-af31-11e0-8154-cbc7ccf896c7", error.RequestId);
        Assert.Contains("trust policy", error.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task AssumeRoleAsync_ThrottlingThenSuccess_Retries()
    {
        // Arrange
        var (client, handler) = Client(new RecordingHandler(
            () => Xml(HttpStatusCode.BadRequest, "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"),
            () => Xml(HttpStatusCode.OK, AssumeRoleXml)));

        // Act
        var result = await client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "r", RoleSessionName = "s1" });

        // Assert
        Assert.Equal(2, handler.Requests.Count);
        Assert.Equal("ASIAIOSFODNN7EXAMPLE", result.Credentials.AccessKeyId);
    }

    [Fact]
    public async Task AssumeRoleAsync_ResultToString_RedactsCredentials()
    {
        // Arrange
        var (client, _) = Client(new RecordingHandler(() => Xml(HttpStatusCode.OK, AssumeRoleXml)));

        // Act
        var text = (await client.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = "r", RoleSessionName = "s1" })).ToString();

        // Assert
        Assert.DoesNotContain("wJalrXUtnFEMI", text, StringComparison.Ordinal);
        Assert.DoesNotContain("AQoDYXdzEPT", text, StringComparison.Ordinal);
    }
}

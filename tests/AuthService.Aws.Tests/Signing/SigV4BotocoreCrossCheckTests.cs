using System.Text;
using System.Text.Json.Nodes;
using AuthService.Aws.Credentials;
using AuthService.Aws.Signing;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Signing;

/// <summary>
/// Our signer against botocore (python3-botocore, an independent implementation) on the request shapes this
/// project sends: Secrets Manager (awsJson1_1) and STS (awsQuery), with session tokens.
/// </summary>
public class SigV4BotocoreCrossCheckTests
{
    // AWS's documented example keys: not real credentials.
    private static readonly AwsCredentials SessionCredentials = new(
        "ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==");

    private static readonly DateTimeOffset Now = new(2025, 12, 11, 15, 34, 25, TimeSpan.Zero);

    [BotocoreFact]
    public async Task SignAsync_SecretsManagerGetSecretValueWithSessionToken_MatchesBotocore()
    {
        // Arrange
        const string url = "https://secretsmanager.eu-west-1.amazonaws.com/";
        const string body = """{"SecretId":"prod/db/password","VersionStage":"AWSCURRENT"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-amz-json-1.1"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "secretsmanager.GetSecretValue");

        // Act
        var ours = await new SigV4Signer(new FakeTimeProvider(Now)).SignAsync(request, SessionCredentials, "eu-west-1", "secretsmanager");
        var theirs = Botocore.Sign(Spec("POST", url, body, "eu-west-1", "secretsmanager", "header",
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.GetSecretValue")));

        // Assert
        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token;x-amz-target", ours.SignedHeaders);
        Assert.Equal((string)theirs["authorization"]!, ours.Authorization);
    }

    [BotocoreFact]
    public async Task SignAsync_StsAssumeRoleWithSessionToken_MatchesBotocore()
    {
        // Arrange
        const string url = "https://sts.us-east-1.amazonaws.com/";
        const string body = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=TestAR&DurationSeconds=3600";
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        // Act
        var ours = await new SigV4Signer(new FakeTimeProvider(Now)).SignAsync(request, SessionCredentials, "us-east-1", "sts");
        var theirs = Botocore.Sign(Spec("POST", url, body, "us-east-1", "sts", "header",
            ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")));

        // Assert
        Assert.Equal("content-type;host;x-amz-date;x-amz-security-token", ours.SignedHeaders);
        Assert.Equal((string)theirs["authorization"]!, ours.Authorization);
    }

    [BotocoreFact]
    public async Task PresignAsync_StsGetCallerIdentityWithSessionToken_MatchesBotocoreSignature()
    {
        // Arrange
        const string url = "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15";
        using var request = new HttpRequestMessage(HttpMethod.Get, url);

        // Act
        var ours = await new SigV4Signer(new FakeTimeProvider(Now)).PresignAsync(request, SessionCredentials, "us-east-1", "sts", TimeSpan.FromMinutes(15));
        var theirs = Botocore.Sign(Spec("GET", url, string.Empty, "us-east-1", "sts", "query"));

        // Assert
        Assert.Equal(Parameter(new Uri((string)theirs["url"]!), "X-Amz-Signature"), Parameter(ours, "X-Amz-Signature"));
        Assert.Equal(Parameter(new Uri((string)theirs["url"]!), "X-Amz-Security-Token"), Parameter(ours, "X-Amz-Security-Token"));
    }

    private static string? Parameter(Uri uri, string name) =>
        SigV4.ParseQuery(uri.Query).SingleOrDefault(p => p.Key == name).Value;

    private static JsonObject Spec(string method, string url, string body, string region, string service, string mode, params (string Name, string Value)[] headers) => new()
    {
        ["method"] = method,
        ["url"] = url,
        ["headers"] = new JsonArray(headers.Select(h => (JsonNode)new JsonArray(h.Name, h.Value)).ToArray()),
        ["body_base64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(body)),
        ["region"] = region,
        ["service"] = service,
        ["access_key_id"] = SessionCredentials.AccessKeyId,
        ["secret_access_key"] = SessionCredentials.SecretAccessKey,
        ["session_token"] = SessionCredentials.SessionToken,
        ["timestamp"] = SigV4.FormatAmzDate(Now) is var d ? $"{d[..4]}-{d[4..6]}-{d[6..8]}T{d[9..11]}:{d[11..13]}:{d[13..15]}Z" : null,
        ["mode"] = mode,
        ["expires"] = 900,
    };
}

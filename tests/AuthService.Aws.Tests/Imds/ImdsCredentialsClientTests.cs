using System.Net;
using AuthService.Aws.Credentials;
using AuthService.Aws.Imds;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Imds;

public class ImdsCredentialsClientTests
{
    private const string CredentialsJson = """
        {"Code":"Success","LastUpdated":"2012-04-26T16:39:16Z","Type":"AWS-HMAC","AccessKeyId":"ASIAIOSFODNN7EXAMPLE",
         "SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY","Token":"token","Expiration":"2017-05-17T15:09:54Z"}
        """;

    private static RecordingHandler Imds(Func<RecordedRequest, int, HttpResponseMessage> route) =>
        new((request, attempt, _) => Task.FromResult(route(request, attempt)));

    private static HttpResponseMessage Text(HttpStatusCode status, string body) => new(status) { Content = new StringContent(body) };

    private static HttpResponseMessage Standard(RecordedRequest request) => request.Uri.AbsolutePath switch
    {
        "/latest/api/token" when request.Method == "PUT" => Text(HttpStatusCode.OK, "TOKEN-1"),
        "/latest/meta-data/iam/security-credentials/" => Text(HttpStatusCode.OK, "my-role\n"),
        "/latest/meta-data/iam/security-credentials/my-role" => Text(HttpStatusCode.OK, CredentialsJson),
        _ => Text(HttpStatusCode.NotFound, ""),
    };

    [Fact]
    public async Task GetCredentialsAsync_ImdsV2_TokenThenRoleThenCredentials()
    {
        // Arrange
        var handler = Imds((request, _) => Standard(request));
        var client = new ImdsCredentialsClient(new HttpClient(handler), new FakeTimeProvider());

        // Act
        var credentials = await client.GetCredentialsAsync();

        // Assert
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("PUT", handler.Requests[0].Method);
        Assert.Equal("http://169.254.169.254/latest/api/token", handler.Requests[0].Uri.ToString());
        Assert.Equal("21600", handler.Requests[0].Header("X-aws-ec2-metadata-token-ttl-seconds"));
        Assert.All(handler.Requests.Skip(1), r => Assert.Equal("TOKEN-1", r.Header("X-aws-ec2-metadata-token")));
        Assert.Equal(new AwsCredentials("ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "token", new DateTimeOffset(2017, 5, 17, 15, 9, 54, TimeSpan.Zero)), credentials);
    }

    [Fact]
    public async Task GetCredentialsAsync_SecondCall_ReusesToken()
    {
        // Arrange
        var handler = Imds((request, _) => Standard(request));
        var client = new ImdsCredentialsClient(new HttpClient(handler), new FakeTimeProvider());

        // Act
        await client.GetCredentialsAsync();
        await client.GetCredentialsAsync();

        // Assert
        Assert.Single(handler.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task GetCredentialsAsync_TokenRejected_GetsNewTokenOnce()
    {
        // Arrange: the first token is refused with 401.
        var handler = Imds((request, attempt) => request.Method == "PUT"
            ? Text(HttpStatusCode.OK, attempt == 0 ? "OLD" : "NEW")
            : request.Header("X-aws-ec2-metadata-token") == "OLD" ? Text(HttpStatusCode.Unauthorized, "invalid token provided") : Standard(request));
        var client = new ImdsCredentialsClient(new HttpClient(handler), new FakeTimeProvider());

        // Act
        var credentials = await client.GetCredentialsAsync();

        // Assert
        Assert.Equal(2, handler.Requests.Count(r => r.Method == "PUT"));
        Assert.Equal("ASIAIOSFODNN7EXAMPLE", credentials.AccessKeyId);
    }

    [Theory]
    [InlineData("token-403", "IMDSv2 is required")]
    [InlineData("no-role", "no instance profile")]
    [InlineData("error-code", "code 'AssumeRoleUnauthorizedAccess'")]
    [InlineData("incomplete", "incomplete credentials document")]
    [InlineData("garbage", "cannot be read")]
    public async Task GetCredentialsAsync_Failure_SaysWhatIsWrong(string scenario, string fragment)
    {
        // Arrange
        var handler = Imds((request, _) => (scenario, request.Uri.AbsolutePath) switch
        {
            ("token-403", "/latest/api/token") => Text(HttpStatusCode.Forbidden, ""),
            ("no-role", "/latest/meta-data/iam/security-credentials/") => Text(HttpStatusCode.NotFound, ""),
            ("error-code", "/latest/meta-data/iam/security-credentials/my-role") => Text(HttpStatusCode.OK, """{"Code":"AssumeRoleUnauthorizedAccess","Message":"denied"}"""),
            ("incomplete", "/latest/meta-data/iam/security-credentials/my-role") => Text(HttpStatusCode.OK, """{"Code":"Success","AccessKeyId":"A"}"""),
            ("garbage", "/latest/meta-data/iam/security-credentials/my-role") => Text(HttpStatusCode.OK, "SecretAccessKey=leak"),
            _ => Standard(request),
        });
        var client = new ImdsCredentialsClient(new HttpClient(handler), new FakeTimeProvider());

        // Act
        var error = await Assert.ThrowsAsync<CredentialProcessException>(() => client.GetCredentialsAsync());

        // Assert
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leak", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentialsAsync_Unreachable_SaysNotEc2()
    {
        // Arrange
        var handler = Imds((_, _) => throw new HttpRequestException("No route to host"));
        var client = new ImdsCredentialsClient(new HttpClient(handler), new FakeTimeProvider());

        // Act
        var error = await Assert.ThrowsAsync<CredentialProcessException>(() => client.GetCredentialsAsync());

        // Assert
        Assert.Contains("not an EC2 instance", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EndpointFromEnvironment_Variable_IsUsed()
    {
        // Act
        var endpoint = ImdsCredentialsClient.EndpointFromEnvironment(name => name == "AWS_EC2_METADATA_SERVICE_ENDPOINT" ? "http://127.0.0.1:9911" : null);

        // Assert
        Assert.Equal(new Uri("http://127.0.0.1:9911/"), endpoint);
    }
}

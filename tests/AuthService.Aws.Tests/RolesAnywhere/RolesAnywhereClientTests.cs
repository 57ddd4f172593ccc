using System.Net;
using System.Security.Cryptography;
using AuthService.Aws.Protocol;
using AuthService.Aws.RolesAnywhere;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.RolesAnywhere;

public class RolesAnywhereClientTests
{
    private const string TrustAnchor = "arn:aws:rolesanywhere:eu-west-1:123456789012:trust-anchor/4a2c6a1e-0000-4000-8000-000000000001";
    private const string Profile = "arn:aws:rolesanywhere:eu-west-1:123456789012:profile/4a2c6a1e-0000-4000-8000-000000000002";
    private const string Role = "arn:aws:iam::123456789012:role/authservice";

    private const string SessionJson = """
        {"credentialSet":[{"assumedRoleUser":{"arn":"arn:aws:sts::123456789012:assumed-role/authservice/abc","assumedRoleId":"AROAEXAMPLE:abc"},
        "credentials":{"accessKeyId":"ASIAROLESANYWHERE","secretAccessKey":"ra-secret-key-value","sessionToken":"ra-session-token-value","expiration":"2025-12-11T16:34:25Z"},
        "packedPolicySize":0,"roleArn":"arn:aws:iam::123456789012:role/authservice","sourceIdentity":"CN=ec-leaf"}],
        "subjectArn":"arn:aws:rolesanywhere:eu-west-1:123456789012:subject/41cf9b5e-0000-4000-8000-000000000003"}
        """;

    private static readonly DateTimeOffset Now = new(2025, 12, 11, 15, 34, 25, TimeSpan.Zero);

    private static RolesAnywhereSessionRequest Request(string trustAnchor = TrustAnchor, string profile = Profile) => new()
    {
        TrustAnchorArn = trustAnchor,
        ProfileArn = profile,
        RoleArn = Role,
    };

    private static FileX509Signer EcSigner()
    {
        var (certificate, key) = TestCertificates.Ec(ECCurve.NamedCurves.nistP256);
        return new FileX509Signer(certificate, key);
    }

    private static (RolesAnywhereClient Client, RecordingHandler Handler, FakeTimeProvider Time) Client(
        RecordingHandler handler, Dictionary<string, string>? environment = null)
    {
        var time = new FakeTimeProvider(Now);
        var options = new AwsClientOptions { Environment = name => environment?.GetValueOrDefault(name) };
        var client = new RolesAnywhereClient(new HttpClient(handler), time, options);
        client.Sender.Jitter = () => 0.5;
        client.Sender.DelayAsync = (delay, _) =>
        {
            time.Advance(delay);
            return Task.CompletedTask;
        };
        return (client, handler, time);
    }

    [Fact]
    public async Task CreateSessionAsync_EcKey_SendsRequestAServiceCanVerifyAndReturnsCredentials()
    {
        // Arrange
        using var signer = EcSigner();
        var (client, handler, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson)));

        // Act
        var session = await client.CreateSessionAsync(Request(), signer);

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("rolesanywhere.eu-west-1.amazonaws.com", sent.Uri.Host);
        Assert.Equal("/sessions", sent.Uri.AbsolutePath);
        Assert.Equal("?profileArn=arn%3Aaws%3Arolesanywhere%3Aeu-west-1%3A123456789012%3Aprofile%2F4a2c6a1e-0000-4000-8000-000000000002&roleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fauthservice&trustAnchorArn=arn%3Aaws%3Arolesanywhere%3Aeu-west-1%3A123456789012%3Atrust-anchor%2F4a2c6a1e-0000-4000-8000-000000000001", sent.Uri.Query);
        Assert.Equal("""{"durationSeconds":3600}""", sent.BodyText);
        Assert.Equal("application/json", sent.Header("Content-Type"));
        Assert.Equal("20251211T153425Z", sent.Header("X-Amz-Date"));
        Assert.Null(sent.Header("X-Amz-X509-Chain"));
        Assert.StartsWith("AWS4-X509-ECDSA-SHA256 Credential=", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Null(X509SignatureVerifier.Problem(sent, "eu-west-1"));
        Assert.Equal("ASIAROLESANYWHERE", session.Credentials.AccessKeyId);
        Assert.Equal("ra-session-token-value", session.Credentials.SessionToken);
        Assert.Equal(new DateTimeOffset(2025, 12, 11, 16, 34, 25, TimeSpan.Zero), session.Credentials.Expiration);
        Assert.Equal("CN=ec-leaf", session.SourceIdentity);
        Assert.DoesNotContain("ra-secret-key-value", session.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionAsync_RsaKeyWithIntermediatesDurationAndSessionName_SendsChainAndBody()
    {
        // Arrange
        var (certificate, key) = TestCertificates.Rsa();
        using var signer = new FileX509Signer(certificate, key);
        var (intermediate, intermediateKey) = TestCertificates.Rsa("CN=issuing-ca");
        intermediateKey.Dispose();
        var (client, handler, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson)));
        var request = Request() with { DurationSeconds = 900, RoleSessionName = "auth-service@host-1", Intermediates = [intermediate] };

        // Act
        await client.CreateSessionAsync(request, signer);

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("""{"durationSeconds":900,"roleSessionName":"auth-service@host-1"}""", sent.BodyText);
        Assert.Equal(Convert.ToBase64String(intermediate.RawData), sent.Header("X-Amz-X509-Chain"));
        Assert.Contains("SignedHeaders=content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain,", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Null(X509SignatureVerifier.Problem(sent, "eu-west-1"));
    }

    [Theory]
    [InlineData("us-gov-west-1", false, "https://rolesanywhere.us-gov-west-1.amazonaws.com/sessions")]
    [InlineData("cn-north-1", false, "https://rolesanywhere.cn-north-1.amazonaws.com.cn/sessions")]
    [InlineData("us-iso-east-1", false, "https://rolesanywhere.us-iso-east-1.c2s.ic.gov/sessions")]
    [InlineData("us-isob-east-1", false, "https://rolesanywhere.us-isob-east-1.sc2s.sgov.gov/sessions")]
    [InlineData("us-east-1", true, "https://rolesanywhere-fips.us-east-1.amazonaws.com/sessions")]
    [InlineData("us-gov-east-1", true, "https://rolesanywhere-fips.us-gov-east-1.amazonaws.com/sessions")]
    public async Task CreateSessionAsync_RegionFromTrustAnchor_UsesPartitionEndpointAndSigningRegion(string region, bool fips, string expected)
    {
        // Arrange
        using var signer = EcSigner();
        var partition = region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";
        var (client, handler, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson)));
        var request = Request($"arn:{partition}:rolesanywhere:{region}:123456789012:trust-anchor/t", $"arn:{partition}:rolesanywhere:{region}:123456789012:profile/p") with
        {
            RoleArn = $"arn:{partition}:iam::123456789012:role/r",
            UseFips = fips,
        };

        // Act
        await client.CreateSessionAsync(request, signer);

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal(expected, sent.Uri.GetLeftPart(UriPartial.Path));
        Assert.Contains($"/20251211/{region}/rolesanywhere/aws4_request,", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Null(X509SignatureVerifier.Problem(sent, region));
    }

    [Fact]
    public async Task CreateSessionAsync_ExplicitRegion_OverridesTrustAnchorRegionForSigning()
    {
        // Arrange
        using var signer = EcSigner();
        var (client, handler, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson)));

        // Act
        await client.CreateSessionAsync(Request() with { Region = "eu-central-1" }, signer);

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("rolesanywhere.eu-central-1.amazonaws.com", sent.Uri.Host);
        Assert.Null(X509SignatureVerifier.Problem(sent, "eu-central-1"));
    }

    [Theory]
    [InlineData("explicit", "https://explicit.example:8443/sessions")]
    [InlineData("service-env", "http://127.0.0.1:9000/sessions")]
    [InlineData("global-env", "http://global.example/sessions")]
    [InlineData("profile", "https://profile.example/base/sessions")]
    [InlineData("ignore-configured", "https://rolesanywhere.eu-west-1.amazonaws.com/sessions")]
    public void ResolveEndpoint_Overrides_FollowSdkPrecedence(string scenario, string expected)
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL"] = "http://global.example" };
        if (scenario is "explicit" or "service-env")
        {
            environment["AWS_ENDPOINT_URL_ROLESANYWHERE"] = "http://127.0.0.1:9000";
        }

        if (scenario is "profile" or "ignore-configured")
        {
            environment.Remove("AWS_ENDPOINT_URL");
        }

        if (scenario == "ignore-configured")
        {
            environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
        }

        var (client, _, _) = Client(new RecordingHandler(), environment);
        var request = Request() with
        {
            Endpoint = scenario == "explicit" ? new Uri("https://explicit.example:8443") : null,
            ProfileEndpointUrl = "https://profile.example/base",
        };

        // Act
        var endpoint = client.ResolveEndpoint(request);

        // Assert
        Assert.Equal(expected, new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/sessions").ToString());
    }

    [Fact]
    public async Task CreateSessionAsync_EndpointWithPort_SignsHostWithPort()
    {
        // Arrange
        using var signer = EcSigner();
        var environment = new Dictionary<string, string> { ["AWS_ENDPOINT_URL_ROLESANYWHERE"] = "http://127.0.0.1:9911" };
        var (client, handler, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, SessionJson)), environment);

        // Act
        await client.CreateSessionAsync(Request(), signer);

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("127.0.0.1:9911", sent.Uri.Authority);
        Assert.Null(X509SignatureVerifier.Problem(sent, "eu-west-1"));
    }

    [Fact]
    public async Task CreateSessionAsync_ServerErrorThenSuccess_RetriesWithFreshDateAndSignature()
    {
        // Arrange: RSA signatures are deterministic, so a different signature proves a re-signing with the new date.
        var (certificate, key) = TestCertificates.Rsa();
        using var signer = new FileX509Signer(certificate, key);
        var (client, handler, _) = Client(new RecordingHandler(
            () => RecordingHandler.Json(HttpStatusCode.InternalServerError, """{"__type":"InternalServerException","message":"try again"}"""),
            () => RecordingHandler.Json(HttpStatusCode.Created, SessionJson)));
        client.Sender.Jitter = () => 1.0;

        // Act
        var session = await client.CreateSessionAsync(Request(), signer);

        // Assert
        Assert.Equal(2, handler.Requests.Count);
        Assert.NotEqual(handler.Requests[0].Header("X-Amz-Date"), handler.Requests[1].Header("X-Amz-Date"));
        Assert.NotEqual(handler.Requests[0].Header("Authorization"), handler.Requests[1].Header("Authorization"));
        Assert.All(handler.Requests, r => Assert.Null(X509SignatureVerifier.Problem(r, "eu-west-1")));
        Assert.Equal("ASIAROLESANYWHERE", session.Credentials.AccessKeyId);
    }

    public static TheoryData<HttpStatusCode, string?, string, string, string> ErrorCases() => new()
    {
        { HttpStatusCode.Forbidden, null, """{"message":"Untrusted Signing Certificate"}""", "403", "--intermediates" },
        { HttpStatusCode.Forbidden, "AccessDeniedException:http://internal.amazon.com/coral/", """{"message":"Untrusted Signing Certificate"}""", "AccessDeniedException", "--intermediates" },
        { HttpStatusCode.Forbidden, null, """{"__type":"com.amazonaws.rolesanywhere#AccessDeniedException","message":"Invalid signature"}""", "AccessDeniedException", "clock" },
        { HttpStatusCode.NotFound, null, """{"code":"aws.rolesanywhere#ResourceNotFoundException:http://x","Message":"Profile not found"}""", "ResourceNotFoundException", "ARNs" },
        { HttpStatusCode.BadRequest, "ValidationException", """{"message":"Role session name is not allowed"}""", "ValidationException", "--role-session-name" },
    };

    [Theory]
    [MemberData(nameof(ErrorCases))]
    public async Task CreateSessionAsync_ErrorResponse_ThrowsSanitisedCodeAndHint(HttpStatusCode status, string? errorTypeHeader, string body, string expectedCode, string expectedHint)
    {
        // Arrange
        using var signer = EcSigner();
        var (client, handler, _) = Client(new RecordingHandler(() =>
        {
            var response = RecordingHandler.Json(status, body);
            if (errorTypeHeader is not null)
            {
                response.Headers.TryAddWithoutValidation("X-Amzn-ErrorType", errorTypeHeader);
            }

            return response;
        }));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.CreateSessionAsync(Request(), signer));

        // Assert
        Assert.Equal(expectedCode, error.ErrorCode);
        Assert.Equal(status, error.StatusCode);
        Assert.Contains(expectedHint, error.Message, StringComparison.Ordinal);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task CreateSessionAsync_EmptyCredentialSet_Throws()
    {
        // Arrange
        using var signer = EcSigner();
        var (client, _, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, """{"credentialSet":[],"subjectArn":"x"}""")));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.CreateSessionAsync(Request(), signer));

        // Assert
        Assert.Equal("EmptyCredentialSet", error.ErrorCode);
    }

    [Fact]
    public async Task CreateSessionAsync_InvalidRequest_ListsEveryProblemWithoutCallingAws()
    {
        // Arrange
        using var signer = EcSigner();
        var (client, handler, _) = Client(new RecordingHandler());
        var request = new RolesAnywhereSessionRequest
        {
            TrustAnchorArn = "arn:aws:rolesanywhere:eu-west-1:1:trust-anchor/t",
            ProfileArn = "arn:aws:rolesanywhere:us-east-1:1:profile/p",
            RoleArn = "role/x",
            DurationSeconds = 60,
            RoleSessionName = "bad name!",
        };

        // Act
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.CreateSessionAsync(request, signer));

        // Assert
        Assert.Contains("--role-arn", error.Message, StringComparison.Ordinal);
        Assert.Contains("same region", error.Message, StringComparison.Ordinal);
        Assert.Contains("--session-duration 60", error.Message, StringComparison.Ordinal);
        Assert.Contains("--role-session-name", error.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task CreateSessionAsync_MalformedSuccessBody_ErrorDoesNotQuoteBody()
    {
        // Arrange
        using var signer = EcSigner();
        var (client, _, _) = Client(new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.Created, """{"credentialSet":[{"credentials":{"accessKeyId":"A","secretAccessKey":"leaky-secret"}}]}""")));

        // Act
        var error = await Assert.ThrowsAsync<AwsServiceException>(() => client.CreateSessionAsync(Request(), signer));

        // Assert
        Assert.DoesNotContain("leaky-secret", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("endpoint override", error.Message, StringComparison.Ordinal);
    }
}

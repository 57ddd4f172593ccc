using System.Net;
using AuthService.Aws.Credentials;
using AuthService.Aws.Profiles;
using AuthService.Aws.Protocol;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Credentials;

/// <summary>role_arn profiles assumed through STS (source_profile, credential_source = Environment).</summary>
public class ProfileAssumeRoleTests
{
    private const string AssumeRoleXml = """
        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
        <AssumedRoleUser><Arn>arn:aws:sts::1:assumed-role/r/s</Arn><AssumedRoleId>ARO:s</AssumedRoleId></AssumedRoleUser>
        <Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-token</SessionToken><Expiration>2025-12-11T16:00:00Z</Expiration></Credentials>
        </AssumeRoleResult></AssumeRoleResponse>
        """;

    [Fact]
    public async Task Create_RoleArnWithSourceProfile_AssumesRoleWithSourceKeysInProfileRegion()
    {
        // Arrange
        var store = AwsProfileStore.FromSections(
            AwsConfigFile.Parse("[profile app]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\nregion = eu-west-1\nrole_session_name = app-session\nexternal_id = ext\nduration_seconds = 1800\n", "config"),
            AwsConfigFile.Parse("[base]\naws_access_key_id = AKIABASE\naws_secret_access_key = base-secret\n", "credentials"),
            new AwsProfilePaths("config", "credentials"));
        var handler = new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.OK, AssumeRoleXml, "text/xml"));
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(handler), new FakeTimeProvider(new DateTimeOffset(2025, 12, 11, 15, 0, 0, TimeSpan.Zero)),
            new ProfileCredentialsOptions { Client = new AwsClientOptions { Environment = _ => null } });

        // Act
        var credentials = await factory.Create("app").GetCredentialsAsync();

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("sts.eu-west-1.amazonaws.com", sent.Uri.Host);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIABASE/20251211/eu-west-1/sts/aws4_request", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Equal("Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=app-session&DurationSeconds=1800&ExternalId=ext", sent.BodyText);
        Assert.Equal("ASIAASSUMED", credentials.AccessKeyId);
    }

    [Fact]
    public async Task Create_RoleArnWithEnvironmentSource_UsesEnvironmentKeys()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["AWS_ACCESS_KEY_ID"] = "AKIAENV", ["AWS_SECRET_ACCESS_KEY"] = "env-secret", ["AWS_REGION"] = "ap-southeast-2" };
        var store = AwsProfileStore.FromSections([], AwsConfigFile.Parse("[app]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\n", "credentials"), new AwsProfilePaths("config", "credentials"));
        var handler = new RecordingHandler(() => RecordingHandler.Json(HttpStatusCode.OK, AssumeRoleXml, "text/xml"));
        var factory = new ProfileCredentialsProviderFactory(store, new HttpClient(handler), new FakeTimeProvider(new DateTimeOffset(2025, 12, 11, 15, 0, 0, TimeSpan.Zero)),
            new ProfileCredentialsOptions { Client = new AwsClientOptions { Environment = environment.GetValueOrDefault } });

        // Act
        await factory.Create("app").GetCredentialsAsync();

        // Assert
        var sent = Assert.Single(handler.Requests);
        Assert.Equal("sts.ap-southeast-2.amazonaws.com", sent.Uri.Host);
        Assert.Contains("Credential=AKIAENV/", sent.Header("Authorization"), StringComparison.Ordinal);
        Assert.Contains("RoleSessionName=authservice-", sent.BodyText, StringComparison.Ordinal);
    }
}

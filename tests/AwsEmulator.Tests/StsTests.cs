using System.Text;
using System.Xml.Linq;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

public class StsTests
{
    private static readonly XNamespace Ns = "https://sts.amazonaws.com/doc/2011-06-15/";

    [Fact]
    public async Task GetCallerIdentity_StaticUser_ReturnsUserArn()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var (status, xml) = await CallAsync(emulator, "Action=GetCallerIdentity&Version=2011-06-15", EmulatorFixture.Reader);

        Assert.Equal(200, status);
        Assert.Equal("GetCallerIdentityResponse", xml.Root!.Name.LocalName);
        Assert.Equal("arn:aws:iam::123456789012:user/reader", Value(xml, "Arn"));
        Assert.Equal("123456789012", Value(xml, "Account"));
        Assert.StartsWith("AIDA", Value(xml, "UserId"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_Allowed_IssuesWorkingTemporaryCredentials()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var body = $"Action=AssumeRole&Version=2011-06-15&RoleArn={Uri.EscapeDataString(TestSeeds.RoleArn(TestSeeds.AppRole))}&RoleSessionName=ci-run&DurationSeconds=900";

        var (status, xml) = await CallAsync(emulator, body, EmulatorFixture.Reader);
        var session = new TestCredentials(Value(xml, "AccessKeyId"), Value(xml, "SecretAccessKey"), Value(xml, "SessionToken"));
        var (_, identity) = await CallAsync(emulator, "Action=GetCallerIdentity&Version=2011-06-15", session);
        var secret = await emulator.Client.SecretsManagerAsync("GetSecretValue", new { SecretId = "app/db" }, session);

        Assert.Equal(200, status);
        Assert.StartsWith("ASIA", session.AccessKeyId, StringComparison.Ordinal);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/app-reader/ci-run", Value(xml, "Arn"));
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/app-reader/ci-run", Value(identity, "Arn"));
        Assert.Equal(200, secret.Status);
        Assert.Equal(emulator.Time.GetUtcNow().AddSeconds(900).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), Value(xml, "Expiration"));
    }

    [Fact]
    public async Task AssumeRole_NotAllowed_AccessDenied403()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var body = $"Action=AssumeRole&Version=2011-06-15&RoleArn={Uri.EscapeDataString(TestSeeds.RoleArn(TestSeeds.OtherRole))}&RoleSessionName=ci-run";

        var (status, xml) = await CallAsync(emulator, body, EmulatorFixture.Reader);

        Assert.Equal(403, status);
        Assert.Equal("AccessDenied", Value(xml, "Code"));
        Assert.Equal("Sender", Value(xml, "Type"));
        Assert.Equal($"User: arn:aws:iam::123456789012:user/reader is not authorized to perform: sts:AssumeRole on resource: {TestSeeds.RoleArn(TestSeeds.OtherRole)}", Value(xml, "Message"));
    }

    [Fact]
    public async Task AssumeRole_DurationOverRoleMaximum_ValidationError()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var body = $"Action=AssumeRole&Version=2011-06-15&RoleArn={Uri.EscapeDataString(TestSeeds.RoleArn(TestSeeds.AppRole))}&RoleSessionName=x1&DurationSeconds=50000";

        var (status, xml) = await CallAsync(emulator, body, EmulatorFixture.Reader);

        Assert.Equal(400, status);
        Assert.Equal("ValidationError", Value(xml, "Code"));
    }

    [Fact]
    public async Task GetSessionToken_StaticUser_CredentialsActAsUser()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var (status, xml) = await CallAsync(emulator, "Action=GetSessionToken&Version=2011-06-15&DurationSeconds=900", EmulatorFixture.Reader);
        var session = new TestCredentials(Value(xml, "AccessKeyId"), Value(xml, "SecretAccessKey"), Value(xml, "SessionToken"));
        var (_, identity) = await CallAsync(emulator, "Action=GetCallerIdentity&Version=2011-06-15", session);
        var (again, error) = await CallAsync(emulator, "Action=GetSessionToken&Version=2011-06-15", session);

        Assert.Equal(200, status);
        Assert.Equal("arn:aws:iam::123456789012:user/reader", Value(identity, "Arn"));
        Assert.Equal(403, again);
        Assert.Equal("AccessDenied", Value(error, "Code"));
    }

    [Fact]
    public async Task Request_WrongKey_SignatureDoesNotMatch403()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var (status, xml) = await CallAsync(emulator, "Action=GetCallerIdentity&Version=2011-06-15", EmulatorFixture.Reader with { SecretAccessKey = "wrong-key-wrong-key-wrong-key-wrong-key" });

        Assert.Equal(403, status);
        Assert.Equal("SignatureDoesNotMatch", Value(xml, "Code"));
    }

    [Fact]
    public async Task Request_UnknownKey_InvalidClientTokenId403()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var (status, xml) = await CallAsync(emulator, "Action=GetCallerIdentity&Version=2011-06-15", EmulatorFixture.Reader with { AccessKeyId = "AKIANOBODY0000000000" });

        Assert.Equal(403, status);
        Assert.Equal("InvalidClientTokenId", Value(xml, "Code"));
    }

    [Fact]
    public async Task Request_ExpiredSession_ExpiredToken()
    {
        await using var emulator = await EmulatorFixture.StartAsync();
        var session = emulator.RoleSession(TestSeeds.AppRole, TimeSpan.FromMinutes(1));
        emulator.Time.Advance(TimeSpan.FromMinutes(2));

        var (status, xml) = await CallAsync(emulator, "Action=GetCallerIdentity&Version=2011-06-15", session);

        Assert.Equal(400, status);
        Assert.Equal("ExpiredToken", Value(xml, "Code"));
    }

    [Fact]
    public async Task Request_UnknownAction_InvalidAction()
    {
        await using var emulator = await EmulatorFixture.StartAsync();

        var (status, xml) = await CallAsync(emulator, "Action=DecodeAuthorizationMessage&Version=2011-06-15", EmulatorFixture.Reader);

        Assert.Equal(400, status);
        Assert.Equal("InvalidAction", Value(xml, "Code"));
    }

    internal static string Value(XDocument xml, string element) => xml.Descendants(Ns + element).First().Value;

    private static async Task<(int Status, XDocument Xml)> CallAsync(EmulatorFixture emulator, string form, TestCredentials credentials)
    {
        using var request = TestSigner.Sign(emulator.Server.HttpAddress, "sts", TestSeeds.Region, credentials, emulator.Time.GetUtcNow(),
            "application/x-www-form-urlencoded; charset=utf-8", Encoding.UTF8.GetBytes(form));
        using var response = await emulator.Client.Http.SendAsync(request);
        return ((int)response.StatusCode, XDocument.Parse(await response.Content.ReadAsStringAsync()));
    }
}

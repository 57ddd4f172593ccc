using AuthService.Aws.Credentials;

namespace AuthService.Aws.Tests.Credentials;

public class CredentialProcessOutputTests
{
    [Fact]
    public void Format_TemporaryCredentials_IsTheHelpersExactJson()
    {
        // Arrange
        var credentials = new AwsCredentials("ASIAEXAMPLE", "wJalr/K7MDENG+bPxRfi", "IQoJb3JpZ2luX2VjE+/=", new DateTimeOffset(2025, 12, 11, 16, 34, 25, TimeSpan.Zero));

        // Act
        var json = CredentialProcessOutput.Format(credentials);

        // Assert
        Assert.Equal("""{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalr/K7MDENG+bPxRfi","SessionToken":"IQoJb3JpZ2luX2VjE+/=","Expiration":"2025-12-11T16:34:25Z"}""", json);
        Assert.False(json.EndsWith('\n'));
    }

    [Fact]
    public void Format_HtmlAndControlCharacters_EscapedAsGoDoes()
    {
        // Act
        var json = CredentialProcessOutput.Format(new AwsCredentials("A<&>", "q\"\\\n\u0001", "t"));

        // Assert
        Assert.Contains("\"AccessKeyId\":\"A\\u003c\\u0026\\u003e\"", json, StringComparison.Ordinal);
        Assert.Contains("\"SecretAccessKey\":\"q\\\"\\\\\\n\\u0001\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Version1WithExpiration_ReturnsTemporaryCredentials()
    {
        // Act
        var credentials = CredentialProcessOutput.Parse("""{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":"T","Expiration":"2025-12-11T16:34:25Z"}""", "helper");

        // Assert
        Assert.Equal(new AwsCredentials("A", "S", "T", new DateTimeOffset(2025, 12, 11, 16, 34, 25, TimeSpan.Zero)), credentials);
    }

    [Fact]
    public void Parse_RoundTripOfFormat_IsIdentity()
    {
        // Arrange
        var original = new AwsCredentials("A", "S+/", "T", new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));

        // Act
        var parsed = CredentialProcessOutput.Parse(CredentialProcessOutput.Format(original), "self");

        // Assert
        Assert.Equal(original, parsed);
    }

    [Theory]
    [InlineData("""{"Version":2,"AccessKeyId":"A","SecretAccessKey":"leak-me"}""", "Version")]
    [InlineData("""{"Version":1,"SecretAccessKey":"leak-me"}""", "AccessKeyId")]
    [InlineData("""{"Version":1,"AccessKeyId":"A"}""", "SecretAccessKey")]
    [InlineData("""{"Version":1,"AccessKeyId":"A","SecretAccessKey":"leak-me","Expiration":"tomorrow"}""", "ISO 8601")]
    [InlineData("AccessKeyId=A SecretAccessKey=leak-me", "not JSON")]
    public void Parse_BadOutput_ExplainsWithoutQuotingIt(string stdout, string fragment)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CredentialProcessOutput.Parse(stdout, "helper"));

        // Assert
        Assert.Contains(fragment, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leak-me", error.Message, StringComparison.Ordinal);
    }
}

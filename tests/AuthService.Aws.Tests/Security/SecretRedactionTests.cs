using AuthService.Aws.Credentials;
using AuthService.Aws.Signing;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Security;

/// <summary>Secrets (secret keys, session tokens) never appear in ToString() of the types that carry them.</summary>
public class SecretRedactionTests
{
    private const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    private const string Token = "SESSIONTOKEN-very-secret-value";

    [Fact]
    public void AwsCredentialsToString_WithSecretAndToken_RedactsBoth()
    {
        // Arrange
        var credentials = new AwsCredentials("ASIAEXAMPLE", Secret, Token, new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        // Act
        var text = credentials.ToString();

        // Assert
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.Contains("ASIAEXAMPLE", text, StringComparison.Ordinal);
        Assert.Contains("2025-01-01T00:00:00Z", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SigV4SignatureToString_WithSessionTokenSigned_OmitsToken()
    {
        // Arrange
        var request = new SigV4Request { Method = "GET", Path = "/", Headers = [new("Host", "example.com")] };
        var signature = SigV4Signer.SignHeaders(request, new AwsCredentials("AKID", Secret, Token), "us-east-1", "sts", new FakeTimeProvider().GetUtcNow());

        // Act
        var text = signature.ToString();

        // Assert
        Assert.Contains(Token, signature.CanonicalRequest, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
    }
}

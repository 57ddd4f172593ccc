using AuthService.Aws.Signing;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Signing;

/// <summary>The 38 cases of the official SigV4 suite (aws-c-auth, Vectors/sigv4/SOURCE.md), in both modes.</summary>
public class SigV4VectorTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var name in SigV4VectorCase.Names())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void Cases_VectorFolder_Holds38Cases()
    {
        Assert.Equal(38, SigV4VectorCase.Names().Count());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SignHeaders_OfficialCase_MatchesCanonicalRequestStringToSignAndSignature(string name)
    {
        // Arrange
        var vector = SigV4VectorCase.Load(name);

        // Act
        var signature = SigV4Signer.SignHeaders(vector.Request, vector.Credentials, vector.Region, vector.Service, vector.Time, vector.Options);

        // Assert
        Assert.Equal(vector.Expected("header-canonical-request.txt"), signature.CanonicalRequest);
        Assert.Equal(vector.Expected("header-string-to-sign.txt"), signature.StringToSign);
        Assert.Equal(vector.Expected("header-signature.txt"), signature.Signature);
        var expectedAuthorization = vector.Expected("header-signed-request.txt").Split('\n')
            .Single(l => l.StartsWith("Authorization:", StringComparison.Ordinal))["Authorization:".Length..];
        Assert.Equal(expectedAuthorization, signature.HeadersToAdd.Single(h => h.Key == "Authorization").Value);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SignQuery_OfficialCase_MatchesCanonicalRequestStringToSignAndSignature(string name)
    {
        // Arrange
        var vector = SigV4VectorCase.Load(name);

        // Act
        var signature = SigV4Signer.SignQuery(vector.Request, vector.Credentials, vector.Region, vector.Service, vector.Time, vector.ExpiresIn, vector.Options);

        // Assert
        Assert.Equal(vector.Expected("query-canonical-request.txt"), signature.CanonicalRequest);
        Assert.Equal(vector.Expected("query-string-to-sign.txt"), signature.StringToSign);
        Assert.Equal(vector.Expected("query-signature.txt"), signature.Signature);
        var signedLine = vector.Expected("query-signed-request.txt").Split('\n')[0];
        Assert.Contains("X-Amz-Signature=" + signature.Signature, signedLine, StringComparison.Ordinal);
        foreach (var (key, value) in signature.QueryToAdd)
        {
            Assert.Contains(SigV4.UriEncode(key) + "=" + SigV4.UriEncode(value), signedLine, StringComparison.Ordinal);
        }
    }
}

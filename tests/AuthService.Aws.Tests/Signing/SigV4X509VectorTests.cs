using System.Text;
using System.Text.Json;
using AuthService.Aws.Signing;
using AuthService.Aws.Signing.X509;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.Signing;

/// <summary>The public Roles Anywhere CreateSession vector (Vectors/rolesanywhere/SOURCE.md), reproduced exactly.</summary>
public class SigV4X509VectorTests
{
    private static string VectorFile(string name) => TestPaths.Vectors("rolesanywhere", "saiph-createsession-rsa", name);

    private static string Expected(string name) => File.ReadAllText(VectorFile(name), Encoding.UTF8);

    private static readonly DateTimeOffset SigningTime = new(2023, 11, 19, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task SignHeadersAsync_SaiphRsaVector_ReproducesCanonicalRequestStringToSignSignatureAndAuthorization()
    {
        // Arrange
        using var signer = X509KeyFiles.LoadSigner(VectorFile("cert.pem"), VectorFile("key.pem"));
        using var context = JsonDocument.Parse(Expected("context.json"));
        var query = context.RootElement.GetProperty("query").EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, p.Value.GetString()!)).ToList();
        var request = new SigV4Request
        {
            Method = "POST",
            Path = "/sessions",
            Query = query,
            Headers = [new("Content-Type", "application/json"), new("Host", "rolesanywhere.us-east-1.amazonaws.com")],
            Body = Encoding.UTF8.GetBytes("""{"durationSeconds":3600}"""),
        };

        // Act
        var signature = await SigV4X509Signer.SignHeadersAsync(request, signer, [], "us-east-1", "rolesanywhere", SigningTime);

        // Assert
        Assert.Equal(X509SigningAlgorithm.Rsa, signer.Algorithm);
        Assert.Equal(Expected("canonical-request.txt"), signature.CanonicalRequest);
        Assert.Equal(Expected("string-to-sign.txt"), signature.StringToSign);
        Assert.Equal(Expected("signature.txt").Trim(), signature.Signature);
        Assert.Equal(Expected("authorization.txt").Trim(), signature.Authorization);
        Assert.DoesNotContain(signature.HeadersToAdd, h => h.Key == "X-Amz-X509-Chain");
    }

    [Fact]
    public async Task SignAsync_SaiphVectorAsHttpRequest_SetsVectorHeaders()
    {
        // Arrange
        using var signer = X509KeyFiles.LoadSigner(VectorFile("cert.pem"), VectorFile("key.pem"));
        var uri = Expected("request.txt").Split('\n')[0].Split(' ')[1];
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://rolesanywhere.us-east-1.amazonaws.com" + uri)
        {
            Content = new StringContent("""{"durationSeconds":3600}""", Encoding.UTF8, "application/json"),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        var x509Header = Expected("request.txt").Split('\n').Single(l => l.StartsWith("X-Amz-X509:", StringComparison.Ordinal))["X-Amz-X509:".Length..];

        // Act
        await new SigV4X509Signer(new FakeTimeProvider(SigningTime)).SignAsync(request, signer, [], "us-east-1", "rolesanywhere");

        // Assert
        Assert.Equal(Expected("authorization.txt").Trim(), request.Headers.GetValues("Authorization").Single());
        Assert.Equal("20231119T150000Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal(x509Header, request.Headers.GetValues("X-Amz-X509").Single());
    }

    [Fact]
    public void SerialDecimal_VectorCertificate_IsUnsignedBigEndianDecimal()
    {
        // Arrange
        using var signer = X509KeyFiles.LoadSigner(VectorFile("cert.pem"), VectorFile("key.pem"));

        // Act
        var serial = X509SignatureFormat.SerialDecimal(signer.Certificate);

        // Assert
        Assert.Equal("373719072408053199536118061820892065223142768195", serial);
    }
}

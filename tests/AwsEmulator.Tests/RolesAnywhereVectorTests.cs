using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AwsEmulator.RolesAnywhere;
using AwsEmulator.Seed;
using AwsEmulator.SigV4;
using AwsEmulator.Tests.Support;
using AwsEmulator.Wire;

namespace AwsEmulator.Tests;

/// <summary>The public CreateSession RSA vector (Vectors/rolesanywhere): it verifies, and one flipped byte breaks it.
/// Its certificate's notBefore is after its signing time, so validity-time checks are off here (see SOURCE.md).</summary>
public class RolesAnywhereVectorTests
{
    private const string Case = "saiph-createsession-rsa";

    [Fact]
    public void Verify_Vector_Accepted()
    {
        var request = Request();

        var signer = Verifier().VerifySignature(request, "us-east-1");
        Verifier().ValidateChain(signer, request, Anchor());

        Assert.Equal("373719072408053199536118061820892065223142768195", signer.SerialDecimal);
    }

    [Fact]
    public void CanonicalRequest_Vector_MatchesUpstream()
    {
        var request = Request();
        var auth = AuthorizationHeader.TryParse(request.Header("Authorization")!, out _)!;

        var canonical = SigV4Canonicalizer.CanonicalRequest(request, auth.SignedHeaders, null, true);

        Assert.Equal(VectorFiles.Read("rolesanywhere", Case, "canonical-request.txt"), canonical);
        Assert.Equal(VectorFiles.Read("rolesanywhere", Case, "string-to-sign.txt"),
            SigV4Canonicalizer.StringToSign(auth.Algorithm, request.Header("X-Amz-Date")!, auth.Scope, canonical));
    }

    [Fact]
    public void Verify_OneBodyByteFlipped_InvalidSignature()
    {
        var request = Request();
        var body = (byte[])request.Body.Clone();
        body[^2] ^= 0x01;

        var error = Assert.Throws<AwsErrorException>(() => Verifier().VerifySignature(request with { Body = body }, "us-east-1"));

        Assert.Equal("Invalid signature", error.Error.Message);
    }

    [Fact]
    public void Verify_OneHeaderByteFlipped_InvalidSignature()
    {
        var request = Request();
        var headers = request.Headers.Select(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)
            ? new KeyValuePair<string, string>(h.Key, h.Value.Replace("us-east-1", "us-east-2", StringComparison.Ordinal)) : h).ToList();

        var error = Assert.Throws<AwsErrorException>(() => Verifier().VerifySignature(request with { Headers = headers }, "us-east-1"));

        Assert.Equal("AccessDeniedException", error.Error.Code);
        Assert.Equal("Invalid signature", error.Error.Message);
    }

    [Fact]
    public void Verify_OneSignatureByteFlipped_InvalidSignature()
    {
        var request = Request();
        var signature = VectorFiles.Read("rolesanywhere", Case, "signature.txt");
        var flipped = signature[..10] + (signature[10] == 'a' ? 'b' : 'a') + signature[11..];
        var headers = request.Headers.Select(h => h.Key == "Authorization"
            ? new KeyValuePair<string, string>(h.Key, h.Value.Replace(signature, flipped, StringComparison.Ordinal)) : h).ToList();

        var error = Assert.Throws<AwsErrorException>(() => Verifier().VerifySignature(request with { Headers = headers }, "us-east-1"));

        Assert.Equal("Invalid signature", error.Error.Message);
    }

    [Fact]
    public void ValidateChain_VectorWithValidityChecksOn_Untrusted()
    {
        var request = Request();
        var verifier = new X509RequestVerifier(Clock(), ignoreValidityTimes: false);
        var signer = verifier.VerifySignature(request, "us-east-1");

        var error = Assert.Throws<AwsErrorException>(() => verifier.ValidateChain(signer, request, Anchor()));

        Assert.Equal("Untrusted Signing Certificate", error.Error.Message);
    }

    private static WireRequest Request()
    {
        var request = VectorFiles.ParseRequest(VectorFiles.Read("rolesanywhere", Case, "signed-request.txt"));
        Assert.Equal("{\"durationSeconds\":3600}", Encoding.UTF8.GetString(request.Body));
        return request;
    }

    private static ManualTimeProvider Clock() => new(DateTimeOffset.Parse("2023-11-19T15:01:00Z", CultureInfo.InvariantCulture));

    private static X509RequestVerifier Verifier() => new(Clock(), ignoreValidityTimes: true);

    private static TrustAnchor Anchor() =>
        new("arn:aws:rolesanywhere:us-east-1:12345678:trust-anchor/e6a5cf90-fc93-478a-bacf-75614d7e3343", "us-east-1", true,
            [X509Certificate2.CreateFromPem(VectorFiles.Read("rolesanywhere", Case, "cert.pem"))]);
}

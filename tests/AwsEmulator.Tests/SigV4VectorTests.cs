using System.Text.Json.Nodes;
using AwsEmulator.Identity;
using AwsEmulator.SigV4;
using AwsEmulator.Tests.Support;

namespace AwsEmulator.Tests;

/// <summary>The AWS SigV4 test suite (aws-c-auth copy, Vectors/sigv4): canonical requests, signatures, and the verifier.</summary>
public class SigV4VectorTests
{
    /// <summary>Appends X-Amz-Security-Token after signing. Fine in a header (unsigned headers are ignored), but
    /// every query parameter is signed, so the presigned form must be refused, as AWS refuses it.</summary>
    private const string TokenAddedAfterSigning = "post-sts-header-after";

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var directory in Directory.GetDirectories(Path.Combine(VectorFiles.Root, "sigv4")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(directory));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CanonicalRequest_HeaderSignedVector_MatchesExpected(string name)
    {
        var context = Context(name);
        var request = VectorFiles.ParseRequest(VectorFiles.Read("sigv4", name, "header-signed-request.txt"));
        var auth = AuthorizationHeader.TryParse(request.Header("Authorization")!, out _)!;

        var canonical = SigV4Canonicalizer.CanonicalRequest(request, auth.SignedHeaders, null, context["normalize"]!.GetValue<bool>());
        var signature = Sign(canonical, auth, request.Header("X-Amz-Date")!, context);

        Assert.Equal(VectorFiles.Read("sigv4", name, "header-canonical-request.txt"), canonical);
        Assert.Equal(VectorFiles.Read("sigv4", name, "header-signature.txt"), signature);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void CanonicalRequest_PresignedVector_MatchesExpected(string name)
    {
        var context = Context(name);
        var request = VectorFiles.ParseRequest(VectorFiles.Read("sigv4", name, "query-signed-request.txt"));
        if (name == TokenAddedAfterSigning)
        {
            Assert.False(Verifier(context).Verify(request, "service").Succeeded);
            return;
        }

        var auth = AuthorizationHeader.FromParts(request.Query("X-Amz-Algorithm")!, request.Query("X-Amz-Credential")!,
            request.Query("X-Amz-SignedHeaders")!, request.Query("X-Amz-Signature")!, out _)!;

        var canonical = SigV4Canonicalizer.CanonicalRequest(request, auth.SignedHeaders, "X-Amz-Signature", context["normalize"]!.GetValue<bool>());
        var signature = Sign(canonical, auth, request.Query("X-Amz-Date")!, context);

        Assert.Equal(VectorFiles.Read("sigv4", name, "query-canonical-request.txt"), canonical);
        Assert.Equal(VectorFiles.Read("sigv4", name, "query-signature.txt"), signature);
        Assert.Equal(auth.Signature, signature);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Verify_NormalizedVector_AcceptsHeaderAndQueryForms(string name)
    {
        var context = Context(name);
        if (!context["normalize"]!.GetValue<bool>())
        {
            // Unnormalized cases sign "/a/../b" as is, which only S3 does; the JSON/query services normalize, so
            // such a signature only holds where normalizing leaves the path unchanged.
            var unnormalized = VectorFiles.ParseRequest(VectorFiles.Read("sigv4", name, "header-signed-request.txt"));
            var pathUnchanged = SigV4Canonicalizer.CanonicalUri(unnormalized.RawPath, false) == SigV4Canonicalizer.CanonicalUri(unnormalized.RawPath, true);
            Assert.Equal(pathUnchanged, Verifier(context).Verify(unnormalized, "service").Succeeded);
            return;
        }

        var verifier = Verifier(context);

        var header = verifier.Verify(VectorFiles.ParseRequest(VectorFiles.Read("sigv4", name, "header-signed-request.txt")), "service");
        var query = verifier.Verify(VectorFiles.ParseRequest(VectorFiles.Read("sigv4", name, "query-signed-request.txt")), "service");

        Assert.True(header.Succeeded, header.Message);
        Assert.True(query.Succeeded || name == TokenAddedAfterSigning, query.Message);
    }

    [Fact]
    public void Verify_VanillaWithOneSignatureHexChanged_Refuses()
    {
        var context = Context("get-vanilla");
        var text = VectorFiles.Read("sigv4", "get-vanilla", "header-signed-request.txt");
        var signature = VectorFiles.Read("sigv4", "get-vanilla", "header-signature.txt");
        var tampered = text.Replace(signature, signature[..^1] + (signature[^1] == '0' ? '1' : '0'), StringComparison.Ordinal);

        var outcome = Verifier(context).Verify(VectorFiles.ParseRequest(tampered), "service");

        Assert.Equal(SigV4Error.SignatureDoesNotMatch, outcome.Error);
    }

    [Fact]
    public void Verify_SessionTokenVectorWithoutToken_RefusesAsInvalidToken()
    {
        var context = Context("get-vanilla-with-session-token");
        var text = VectorFiles.Read("sigv4", "get-vanilla-with-session-token", "header-signed-request.txt");
        var withoutToken = string.Join('\n', text.Split('\n').Where(l => !l.StartsWith("X-Amz-Security-Token", StringComparison.Ordinal)));

        var outcome = Verifier(context).Verify(VectorFiles.ParseRequest(withoutToken), "service");

        Assert.Equal(SigV4Error.InvalidToken, outcome.Error);
    }

    [Fact]
    public void Verify_SixMinutesLate_RefusesAsSignatureExpired()
    {
        var context = Context("get-vanilla");
        var request = VectorFiles.ParseRequest(VectorFiles.Read("sigv4", "get-vanilla", "header-signed-request.txt"));
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2015-08-30T12:42:01Z", System.Globalization.CultureInfo.InvariantCulture));

        var late = Verifier(context, time).Verify(request, "service");
        time.Set(DateTimeOffset.Parse("2015-08-30T12:40:59Z", System.Globalization.CultureInfo.InvariantCulture));
        var inTime = Verifier(context, time).Verify(request, "service");
        time.Set(DateTimeOffset.Parse("2015-08-30T12:30:59Z", System.Globalization.CultureInfo.InvariantCulture));
        var early = Verifier(context, time).Verify(request, "service");

        Assert.Equal(SigV4Error.SignatureExpired, late.Error);
        Assert.StartsWith("Signature expired: 20150830T123600Z is now earlier than 20150830T123701Z", late.Message, StringComparison.Ordinal);
        Assert.True(inTime.Succeeded);
        Assert.Equal(SigV4Error.SignatureExpired, early.Error);
    }

    [Fact]
    public void Verify_PresignedAfterExpires_Refuses()
    {
        var context = Context("get-vanilla");
        var request = VectorFiles.ParseRequest(VectorFiles.Read("sigv4", "get-vanilla", "query-signed-request.txt"));
        var time = new ManualTimeProvider(DateTimeOffset.Parse("2015-08-30T13:36:01Z", System.Globalization.CultureInfo.InvariantCulture));

        var outcome = Verifier(context, time).Verify(request, "service");

        Assert.Equal(SigV4Error.SignatureExpired, outcome.Error);
    }

    [Fact]
    public void Verify_WrongService_Refuses()
    {
        var context = Context("get-vanilla");
        var request = VectorFiles.ParseRequest(VectorFiles.Read("sigv4", "get-vanilla", "header-signed-request.txt"));

        var outcome = Verifier(context).Verify(request, "secretsmanager");

        Assert.Equal(SigV4Error.SignatureDoesNotMatch, outcome.Error);
        Assert.Contains("'secretsmanager'", outcome.Message, StringComparison.Ordinal);
    }

    private static JsonObject Context(string name) => JsonNode.Parse(VectorFiles.Read("sigv4", name, "context.json"))!.AsObject();

    private static string Sign(string canonical, AuthorizationHeader auth, string amzDate, JsonObject context)
    {
        var stringToSign = SigV4Canonicalizer.StringToSign(SigV4Verifier.Algorithm, amzDate, auth.Scope, canonical);
        var key = SigV4Canonicalizer.SigningKey(context["credentials"]!["secret_access_key"]!.GetValue<string>(), auth.ScopeDate, auth.Region, auth.Service);
        return SigV4Canonicalizer.HmacSignature(key, stringToSign);
    }

    private static SigV4Verifier Verifier(JsonObject context, TimeProvider? time = null)
    {
        var credentials = context["credentials"]!;
        var principal = new Principal("arn:aws:iam::123456789012:user/vector", "AIDAVECTOR", "123456789012", null, "vector", [], [], []);
        var entry = new CredentialEntry(credentials["access_key_id"]!.GetValue<string>(), credentials["secret_access_key"]!.GetValue<string>(),
            credentials["token"]?.GetValue<string>(), null, principal);
        var at = DateTimeOffset.Parse(context["timestamp"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
        return new SigV4Verifier(id => id == entry.AccessKeyId ? entry : null, time ?? new ManualTimeProvider(at), "us-east-1");
    }
}

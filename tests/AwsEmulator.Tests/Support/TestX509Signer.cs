using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace AwsEmulator.Tests.Support;

/// <summary>A CreateSession request signer for tests (AWS4-X509-RSA-SHA256 / AWS4-X509-ECDSA-SHA256), kept apart
/// from the emulator's verifier. Options let a test break exactly one thing.</summary>
public sealed class CreateSessionRequest
{
    public required Uri Endpoint { get; init; }

    public required X509Certificate2 Certificate { get; init; }

    /// <summary>The key that signs; normally the certificate's own.</summary>
    public AsymmetricAlgorithm? SigningKey { get; init; }

    public IReadOnlyList<X509Certificate2> Chain { get; init; } = [];

    /// <summary>Send X-Amz-X509-Chain even with no intermediates (AWS refuses an empty one).</summary>
    public bool SendEmptyChainHeader { get; init; }

    public string TrustAnchorArn { get; init; } = TestSeeds.AnchorArn;

    public string ProfileArn { get; init; } = TestSeeds.ProfileArn;

    public string RoleArn { get; init; } = TestSeeds.RoleArn(TestSeeds.AppRole);

    public string Region { get; init; } = TestSeeds.Region;

    public string Body { get; init; } = "{\"durationSeconds\":3600}";

    public required DateTimeOffset SignedAt { get; init; }

    public HttpRequestMessage Build()
    {
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["profileArn"] = ProfileArn,
            ["roleArn"] = RoleArn,
            ["trustAnchorArn"] = TrustAnchorArn,
        };
        var canonicalQuery = string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        var amzDate = SignedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = $"{Endpoint.Host}:{Endpoint.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = "application/json",
            ["host"] = host,
            ["x-amz-date"] = amzDate,
            ["x-amz-x509"] = Convert.ToBase64String(Certificate.RawData),
        };
        if (Chain.Count > 0 || SendEmptyChainHeader)
        {
            headers["x-amz-x509-chain"] = string.Join(",", Chain.Select(c => Convert.ToBase64String(c.RawData)));
        }

        var signedHeaders = string.Join(";", headers.Keys);
        var canonical = $"POST\n/sessions\n{canonicalQuery}\n" + string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n"))
            + $"\n{signedHeaders}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Body)))}";
        var key = SigningKey ?? (AsymmetricAlgorithm?)Certificate.GetRSAPrivateKey() ?? Certificate.GetECDsaPrivateKey()!;
        var algorithm = key is RSA ? "AWS4-X509-RSA-SHA256" : "AWS4-X509-ECDSA-SHA256";
        var scope = $"{amzDate[..8]}/{Region}/rolesanywhere/aws4_request";
        var toSign = Encoding.UTF8.GetBytes($"{algorithm}\n{amzDate}\n{scope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}");
        var signature = key switch
        {
            RSA rsa => rsa.SignData(toSign, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.SignData(toSign, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            _ => throw new InvalidOperationException("RSA or ECDSA"),
        };
        var serial = new BigInteger(Certificate.GetSerialNumber(), isUnsigned: true, isBigEndian: false).ToString(CultureInfo.InvariantCulture);

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Endpoint, "/sessions?" + canonicalQuery))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Body)),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("X-Amz-X509", headers["x-amz-x509"]);
        if (headers.TryGetValue("x-amz-x509-chain", out var chain))
        {
            request.Headers.TryAddWithoutValidation("X-Amz-X509-Chain", chain);
        }

        request.Headers.TryAddWithoutValidation("Authorization",
            $"{algorithm} Credential={serial}/{scope}, SignedHeaders={signedHeaders}, Signature={Convert.ToHexStringLower(signature)}");
        return request;
    }
}

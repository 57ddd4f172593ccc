using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Aws.Tests.Support;

namespace AuthService.Aws.Tests.RolesAnywhere;

/// <summary>
/// Verifies a received SigV4-X509 request the way the Roles Anywhere service would, written from the fact sheet
/// independently of the signer (so a shared bug in canonicalisation cannot hide): rebuild the canonical request
/// from what arrived, then check the signature with the public key of the certificate in X-Amz-X509.
/// </summary>
internal static class X509SignatureVerifier
{
    public static string? Problem(RecordedRequest request, string region)
    {
        var authorization = request.Header("Authorization") ?? "";
        var algorithm = authorization.Split(' ')[0];
        var fields = authorization[(algorithm.Length + 1)..].Split(", ").Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var credential = fields["Credential"].Split('/');
        var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(request.Header("X-Amz-X509")!));
        var serial = new System.Numerics.BigInteger(Convert.FromHexString(certificate.SerialNumber), isUnsigned: true, isBigEndian: true).ToString();
        if (credential[0] != serial)
        {
            return $"credential id {credential[0]} is not the certificate serial {serial}";
        }

        if (credential[2] != region || credential[3] != "rolesanywhere" || credential[4] != "aws4_request")
        {
            return $"unexpected scope {fields["Credential"]}";
        }

        var signedHeaders = fields["SignedHeaders"].Split(';');
        var canonicalHeaders = string.Concat(signedHeaders.Select(h => h + ":" + (h == "host" ? request.Uri.Authority : request.Header(h)!.Trim()) + "\n"));
        var query = string.Join('&', request.Uri.Query.TrimStart('?').Split('&').Order(StringComparer.Ordinal));
        var canonical = $"{request.Method}\n{request.Uri.AbsolutePath}\n{query}\n{canonicalHeaders}\n{fields["SignedHeaders"]}\n{Convert.ToHexStringLower(SHA256.HashData(request.Body))}";
        var date = request.Header("X-Amz-Date")!;
        var stringToSign = $"{algorithm}\n{date}\n{date[..8]}/{region}/rolesanywhere/aws4_request\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var data = Encoding.UTF8.GetBytes(stringToSign);
        var signature = Convert.FromHexString(fields["Signature"]);
        using var rsa = certificate.GetRSAPublicKey();
        using var ec = certificate.GetECDsaPublicKey();
        var ok = algorithm switch
        {
            "AWS4-X509-RSA-SHA256" => rsa?.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1) == true,
            "AWS4-X509-ECDSA-SHA256" => ec?.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence) == true,
            _ => false,
        };
        return ok ? null : $"{algorithm} signature does not verify with the certificate";
    }
}

using System.Security.Cryptography.X509Certificates;

namespace AuthService.Aws.Signing.X509;

/// <summary>
/// A private key bound to an X.509 certificate, as SigV4-X509 (IAM Roles Anywhere) needs it. Implemented for key
/// files by <see cref="FileX509Signer"/>; a PKCS#11 token key implements the same interface.
/// </summary>
/// <remarks>
/// Contract for implementations (a token-backed one in particular):
/// <list type="bullet">
/// <item><see cref="Algorithm"/> follows the key type, not the certificate's own signature algorithm.</item>
/// <item>RSA: RSASSA-PKCS1-v1_5 with SHA-256 over <c>data</c> (PKCS#11: <c>CKM_SHA256_RSA_PKCS</c> over the whole data).</item>
/// <item>ECDSA: ECDSA over SHA-256(<c>data</c>) for every curve (P-256, P-384, ...), returned DER-encoded
/// (<c>SEQUENCE { r, s }</c>). PKCS#11 <c>CKM_ECDSA</c> returns raw <c>r || s</c>: convert it with
/// <see cref="X509SignatureFormat.EcdsaRawToDer"/>.</item>
/// <item>Never put key material or a PIN in an exception message.</item>
/// </list>
/// </remarks>
public interface IX509Signer : IDisposable
{
    /// <summary>The end-entity certificate whose key this is (sent as <c>X-Amz-X509</c>).</summary>
    X509Certificate2 Certificate { get; }

    /// <summary>The key type, which picks the SigV4-X509 algorithm name.</summary>
    X509SigningAlgorithm Algorithm { get; }

    /// <summary>Signs <paramref name="data"/> (the UTF-8 string to sign) and returns the signature in the wire form above.</summary>
    ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Aws.Credentials;
using AuthService.Aws.Signing.X509;
using AuthService.Pkcs11.Keys;

namespace AuthService.Credentials;

/// <summary>
/// The Roles Anywhere signer for a certificate and key held in a PKCS#11 token (the reference procedure's
/// `pkcs11:token=roles-anywhere;object=ra-cert;id=%01` URIs). The key never leaves the token; the AWS layer
/// only sees signatures. Opened per CreateSession and closed after, so a token fixed or re-provisioned by the
/// operator is picked up by the next refresh.
/// </summary>
public sealed class Pkcs11X509Signer : IX509Signer
{
    private readonly Pkcs11Identity _identity;

    private Pkcs11X509Signer(Pkcs11Identity identity)
    {
        _identity = identity;
        Algorithm = identity.Certificate.GetKeyAlgorithm() == Oids.EcPublicKey ? X509SigningAlgorithm.Ecdsa : X509SigningAlgorithm.Rsa;
    }

    public X509Certificate2 Certificate => _identity.Certificate;

    public X509SigningAlgorithm Algorithm { get; }

    /// <summary>Opens the command's certificate and key (same token or not) and checks that they belong together.</summary>
    public static Pkcs11X509Signer Open(SigningHelperCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new Pkcs11X509Signer(Pkcs11Identity.Open(command.Pkcs11Library, command.Certificate, command.PrivateKey ?? command.Certificate));
    }

    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var algorithm = Algorithm == X509SigningAlgorithm.Ecdsa ? Pkcs11SignatureAlgorithm.EcdsaSha256 : Pkcs11SignatureAlgorithm.RsaPkcs1Sha256;
        return ValueTask.FromResult(_identity.SignData(data.Span, algorithm, DSASignatureFormat.Rfc3279DerSequence));
    }

    public void Dispose() => _identity.Dispose();

    private static class Oids
    {
        public const string EcPublicKey = "1.2.840.10045.2.1";
    }
}

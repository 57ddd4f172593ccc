using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Pkcs11.Keys;

/// <summary>
/// Lets .NET's CertificateRequest sign with a token key: the algorithm identifier and public key come from .NET's
/// own generator built over the public key, only the signature is made in the token.
/// </summary>
internal sealed class Pkcs11SignatureGenerator : X509SignatureGenerator
{
    private readonly Pkcs11PrivateKey _key;
    private readonly RSASignaturePadding _padding;
    private readonly AsymmetricAlgorithm _publicKey;
    private readonly X509SignatureGenerator _inner;

    public Pkcs11SignatureGenerator(Pkcs11PrivateKey key, RSASignaturePadding padding)
    {
        _key = key;
        _padding = padding;
        _publicKey = key.GetPublicKey();
        _inner = _publicKey switch
        {
            RSA rsa => CreateForRSA(rsa, padding),
            ECDsa ec => CreateForECDsa(ec),
            _ => throw new CryptographicException("Unsupported key type."),
        };
    }

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => _inner.GetSignatureAlgorithmIdentifier(hashAlgorithm);

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
    {
        Pkcs11SignatureAlgorithm algorithm = SignatureMechanisms.For(_key.KeyType, hashAlgorithm, _key.KeyType == Pkcs11KeyType.Rsa ? _padding : null);
        return _key.SignData(data, algorithm, DSASignatureFormat.Rfc3279DerSequence);
    }

    protected override PublicKey BuildPublicKey() => _inner.PublicKey;
}

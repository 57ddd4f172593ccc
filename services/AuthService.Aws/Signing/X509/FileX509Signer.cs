using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Aws.Signing.X509;

/// <summary>An <see cref="IX509Signer"/> over a key held in memory (loaded from files by <see cref="X509KeyFiles"/>).</summary>
public sealed class FileX509Signer : IX509Signer
{
    private readonly AsymmetricAlgorithm _key;

    /// <summary>Binds <paramref name="key"/> (RSA or ECDsa; the signer owns it) to <paramref name="certificate"/>.</summary>
    /// <exception cref="ArgumentException">The key is neither RSA nor EC, or it does not belong to the certificate.</exception>
    public FileX509Signer(X509Certificate2 certificate, AsymmetricAlgorithm key)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(key);
        Certificate = certificate;
        _key = key;
        Algorithm = key switch
        {
            RSA => X509SigningAlgorithm.Rsa,
            ECDsa => X509SigningAlgorithm.Ecdsa,
            _ => throw new ArgumentException($"A {key.GetType().Name} key cannot sign Roles Anywhere requests: use an RSA or EC key.", nameof(key)),
        };
        if (!MatchesCertificate())
        {
            throw new ArgumentException(
                $"The private key does not belong to the certificate (subject '{certificate.Subject}', serial {certificate.SerialNumber}): " +
                "pass the key file that was used to request this certificate.", nameof(key));
        }
    }

    /// <inheritdoc />
    public X509Certificate2 Certificate { get; }

    /// <inheritdoc />
    public X509SigningAlgorithm Algorithm { get; }

    /// <inheritdoc />
    public ValueTask<byte[]> SignAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Sign(data.Span));
    }

    /// <summary>Signs synchronously (file keys never block).</summary>
    public byte[] Sign(ReadOnlySpan<byte> data) => _key switch
    {
        RSA rsa => rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        ECDsa ecdsa => ecdsa.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
        _ => throw new InvalidOperationException("unreachable: the constructor accepts only RSA and EC keys"),
    };

    /// <summary>Disposes the key (the certificate stays usable: the caller may hold it).</summary>
    public void Dispose() => _key.Dispose();

    /// <summary>Describes the certificate, never the key.</summary>
    public override string ToString() => $"FileX509Signer {{ {Algorithm}, Subject = {Certificate.Subject}, Serial = {Certificate.SerialNumber} }}";

    private bool MatchesCertificate()
    {
        // A test signature verified with the certificate's public key proves the pair, whatever the key encoding.
        ReadOnlySpan<byte> probe = "authservice key/certificate match probe"u8;
        var signature = Sign(probe);
        return _key switch
        {
            RSA => Certificate.GetRSAPublicKey() is { } publicKey && Verify(publicKey, probe, signature),
            ECDsa => Certificate.GetECDsaPublicKey() is { } publicKey && Verify(publicKey, probe, signature),
            _ => false,
        };
    }

    private static bool Verify(RSA publicKey, ReadOnlySpan<byte> data, byte[] signature)
    {
        using (publicKey)
        {
            return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    private static bool Verify(ECDsa publicKey, ReadOnlySpan<byte> data, byte[] signature)
    {
        using (publicKey)
        {
            return publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
    }
}

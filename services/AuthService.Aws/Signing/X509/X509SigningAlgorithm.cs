namespace AuthService.Aws.Signing.X509;

/// <summary>The key type of an <see cref="IX509Signer"/>.</summary>
public enum X509SigningAlgorithm
{
    /// <summary>RSA key: <c>AWS4-X509-RSA-SHA256</c>, RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    Rsa,

    /// <summary>EC key: <c>AWS4-X509-ECDSA-SHA256</c>, ECDSA with SHA-256, DER signature.</summary>
    Ecdsa,
}

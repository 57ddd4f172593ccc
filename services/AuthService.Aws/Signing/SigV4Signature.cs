namespace AuthService.Aws.Signing;

/// <summary>The outcome of signing: every intermediate value (for tests and diagnostics) and what to add to the request.</summary>
/// <remarks>The canonical request and the added headers can hold a session token, so <see cref="ToString"/> shows neither.</remarks>
public sealed class SigV4Signature
{
    /// <summary>The algorithm, e.g. <c>AWS4-HMAC-SHA256</c> or <c>AWS4-X509-RSA-SHA256</c>.</summary>
    public required string Algorithm { get; init; }

    /// <summary>The canonical request that was hashed.</summary>
    public required string CanonicalRequest { get; init; }

    /// <summary>The string that was signed.</summary>
    public required string StringToSign { get; init; }

    /// <summary>The signature, lowercase hex.</summary>
    public required string Signature { get; init; }

    /// <summary>The signed header names, lowercase, ';'-joined.</summary>
    public required string SignedHeaders { get; init; }

    /// <summary>The Authorization header value (header mode; also computed in query mode for reference).</summary>
    public required string Authorization { get; init; }

    /// <summary>Headers to add to the request (header mode: X-Amz-Date, Authorization, ...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd { get; init; } = [];

    /// <summary>Decoded query parameters to add to the request (query mode: X-Amz-Algorithm, ..., X-Amz-Signature).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryToAdd { get; init; } = [];

    /// <summary>Shows the algorithm, signed headers and signature only.</summary>
    public override string ToString() => $"{Algorithm} SignedHeaders={SignedHeaders}, Signature={Signature}";
}

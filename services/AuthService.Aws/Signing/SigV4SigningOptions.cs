namespace AuthService.Aws.Signing;

/// <summary>Switches of the SigV4 algorithm that differ between services.</summary>
public sealed record SigV4SigningOptions
{
    /// <summary>The defaults for every non-S3 service (Secrets Manager, STS, Roles Anywhere).</summary>
    public static SigV4SigningOptions Default { get; } = new();

    /// <summary>Remove dot segments and empty segments from the path before encoding it (true for non-S3 services).</summary>
    public bool NormalizePath { get; init; } = true;

    /// <summary>Add and sign an <c>x-amz-content-sha256</c> header carrying the payload hash (S3-style).</summary>
    public bool AddContentSha256Header { get; init; }

    /// <summary>
    /// Sign the session token (the default). When false it is added after signing, unsigned, which a few old
    /// services required.
    /// </summary>
    public bool SignSessionToken { get; init; } = true;
}

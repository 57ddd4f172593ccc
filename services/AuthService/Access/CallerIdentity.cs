namespace AuthService.Access;

/// <summary>
/// Who is calling, as every identity the call proved at once: the Unix socket peer's uid and gid (SO_PEERCRED),
/// the client certificate (mTLS), the bearer token's name, or the TCP peer address. Rules match any of them.
/// </summary>
public sealed record CallerIdentity(IReadOnlyList<string> Identities)
{
    /// <summary>For denials and the audit log: the identities joined, e.g. "uid:1000 gid:1000 token:connector-a".</summary>
    public string Display => string.Join(' ', Identities);

    /// <summary>The one identity rate limits are kept by: the strongest proof first (token, certificate, uid, address).</summary>
    public string Key =>
        Identities.FirstOrDefault(i => i.StartsWith("token:", StringComparison.Ordinal))
        ?? Identities.FirstOrDefault(i => i.StartsWith("cert-sha256:", StringComparison.Ordinal))
        ?? Identities.FirstOrDefault(i => i.StartsWith("uid:", StringComparison.Ordinal))
        ?? (Identities.Count > 0 ? Identities[0] : null)
        ?? "unknown";

    public override string ToString() => Display;
}

namespace AwsEmulator.SigV4;

/// <summary>A request exactly as it arrived: the raw request target (path and query, still percent-encoded as sent),
/// every header occurrence in order, and the body bytes. Signatures are checked against this, never against a
/// re-serialised form.</summary>
internal sealed record WireRequest(string Method, string RawTarget, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string RawPath => RawTarget.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? RawTarget[..q] : RawTarget;

    public string RawQuery => RawTarget.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? RawTarget[(q + 1)..] : "";

    /// <summary>All values of a header (case-insensitive name), in arrival order.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    public string? Header(string name) => HeaderValues(name).FirstOrDefault();

    /// <summary>Query parameters, percent-decoded, in arrival order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> QueryParameters() => SigV4Canonicalizer.ParseQuery(RawQuery);

    public string? Query(string name) => QueryParameters().Where(p => p.Key == name).Select(p => p.Value).FirstOrDefault();
}

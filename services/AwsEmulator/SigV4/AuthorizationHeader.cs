namespace AwsEmulator.SigV4;

/// <summary>The parts of a SigV4 Authorization header (also used by SigV4-X509, where the credential is the
/// certificate serial): <c>ALG Credential=ID/DATE/REGION/SERVICE/aws4_request, SignedHeaders=a;b, Signature=hex</c>.</summary>
internal sealed record AuthorizationHeader(
    string Algorithm, string CredentialId, string ScopeDate, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature)
{
    private static readonly string[] RequiredFields = ["Credential", "Signature", "SignedHeaders"];

    public string Scope => $"{ScopeDate}/{Region}/{Service}/aws4_request";

    /// <summary>Parses the header, or says (in AWS's words where known) what is missing.</summary>
    public static AuthorizationHeader? TryParse(string value, out string error)
    {
        error = "";
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0)
        {
            error = $"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={value}";
            return null;
        }

        var algorithm = value[..space];
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in value[(space + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                fields[part[..eq]] = part[(eq + 1)..];
            }
        }

        var missing = RequiredFields.Where(k => !fields.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            error = string.Join(' ', missing.Select(m => $"Authorization header requires '{m}' parameter.")) + $" Authorization={algorithm}";
            return null;
        }

        return FromParts(algorithm, fields["Credential"], fields["SignedHeaders"], fields["Signature"], out error);
    }

    /// <summary>Builds from the separate parts (presigned URLs carry them as X-Amz-* query parameters).</summary>
    public static AuthorizationHeader? FromParts(string algorithm, string credential, string signedHeaders, string signature, out string error)
    {
        error = "";
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request" || scope.Any(s => s.Length == 0))
        {
            error = $"Credential should be scoped to a valid region, service and terminator ('aws4_request'): '{credential}'.";
            return null;
        }

        var headers = signedHeaders.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(h => h.Trim().ToLowerInvariant()).ToList();
        return new AuthorizationHeader(algorithm, scope[0], scope[1], scope[2], scope[3], headers, signature);
    }
}

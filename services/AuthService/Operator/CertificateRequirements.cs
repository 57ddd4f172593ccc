using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>
/// What IAM Roles Anywhere accepts as an end-entity certificate (AWS "Signing process" and trust model pages):
/// X.509 v3, keyUsage with digitalSignature, inside its validity period, an RSA or EC P-256/P-384 key.
/// Every problem is reported at once.
/// </summary>
internal static class CertificateRequirements
{
    public static IReadOnlyList<string> Problems(X509Certificate2 certificate, DateTimeOffset now)
    {
        var problems = new List<string>();
        if (certificate.Version != 3)
        {
            problems.Add($"it is an X.509 v{certificate.Version} certificate; Roles Anywhere requires v3 (with extensions)");
        }

        var keyUsage = certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault();
        if (keyUsage is null)
        {
            problems.Add("it has no keyUsage extension; Roles Anywhere requires keyUsage digitalSignature");
        }
        else if (!keyUsage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature))
        {
            problems.Add($"its keyUsage ({keyUsage.KeyUsages}) lacks digitalSignature");
        }

        if (now < certificate.NotBefore.ToUniversalTime())
        {
            problems.Add($"it is not valid yet (not before {Format(certificate.NotBefore)})");
        }

        if (now > certificate.NotAfter.ToUniversalTime())
        {
            problems.Add($"it expired on {Format(certificate.NotAfter)}");
        }

        string? key = KeyDescription(certificate);
        if (key is null)
        {
            problems.Add($"its key algorithm ({certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value}) is not supported; use RSA or EC P-256/P-384");
        }

        return problems;
    }

    /// <summary>"RSA 2048", "EC P-256", or null when Roles Anywhere does not take the key.</summary>
    public static string? KeyDescription(X509Certificate2 certificate)
    {
        using RSA? rsa = certificate.GetRSAPublicKey();
        if (rsa is not null)
        {
            return string.Create(CultureInfo.InvariantCulture, $"RSA {rsa.KeySize}");
        }

        using ECDsa? ec = certificate.GetECDsaPublicKey();
        string? oid = ec?.ExportParameters(false).Curve.Oid.Value;
        return oid switch
        {
            "1.2.840.10045.3.1.7" => "EC P-256", // secp256r1
            "1.3.132.0.34" => "EC P-384", // secp384r1
            _ => null,
        };
    }

    public static void Require(X509Certificate2 certificate, DateTimeOffset now)
    {
        IReadOnlyList<string> problems = Problems(certificate, now);
        if (problems.Count > 0)
        {
            throw new OperatorException($"the certificate '{certificate.Subject}' does not meet the Roles Anywhere requirements:\n  - {string.Join("\n  - ", problems)}\nFix: have the CA issue an X.509 v3 certificate with keyUsage digitalSignature for an RSA or EC P-256/P-384 key.");
        }
    }

    public static string Format(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Prints what an operator checks after an import: subject, issuer, expiry.</summary>
    public static void Print(X509Certificate2 certificate)
    {
        Console.WriteLine($"  subject: {certificate.Subject}");
        Console.WriteLine($"  issuer:  {certificate.Issuer}");
        Console.WriteLine($"  expires: {Format(certificate.NotAfter)}");
    }

    /// <summary>Reads a certificate from --file or stdin (PEM or DER).</summary>
    public static X509Certificate2 Read(string? file, OperatorInput input)
    {
        byte[] bytes = file is not null ? ReadFile(file, "certificate") : input.ReadRest("certificate PEM");
        if (bytes.Length == 0)
        {
            throw OperatorException.Usage("no certificate on stdin: pipe the PEM in, or use --file FILE.");
        }

        try
        {
            string text = System.Text.Encoding.ASCII.GetString(bytes);
            return text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (CryptographicException)
        {
            throw OperatorException.Usage("the input is not an X.509 certificate in PEM or DER form (expected -----BEGIN CERTIFICATE-----).");
        }
    }

    public static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OperatorException.Usage($"cannot read the {what} file '{path}': {e.GetType().Name}.");
        }
    }

    /// <summary>
    /// The private key with this id, proven to belong to the certificate by a signature in the token verified with
    /// the certificate's public key; otherwise refuses, naming both.
    /// </summary>
    public static Pkcs11PrivateKey RequireMatchingKey(Pkcs11Token token, byte[] id, X509Certificate2 certificate)
    {
        Pkcs11PrivateKey key;
        try
        {
            key = token.GetPrivateKey(new Pkcs11Uri { Id = id });
        }
        catch (Pkcs11Exception e) when (e.Kind == Pkcs11ErrorKind.ObjectNotFound)
        {
            throw new OperatorException($"no private key with id {HexId.Format(id)} on {token}, so the certificate '{certificate.Subject}' cannot be checked against it. Fix: import the key first (authservice token import-key --id {HexId.Format(id)}) or use the id of the key the certificate was issued for.");
        }

        if (!key.MatchesCertificate(certificate))
        {
            throw new OperatorException($"the certificate '{certificate.Subject}' (serial {certificate.SerialNumber}, {KeyDescription(certificate) ?? "unsupported key"}) does not belong to the private key label='{key.Label}' id={HexId.Format(id)} ({key.KeyType} {key.KeySizeBits}) on {token}. Fix: import the certificate issued for this key, or give the --id of the key it was issued for.");
        }

        return key;
    }
}

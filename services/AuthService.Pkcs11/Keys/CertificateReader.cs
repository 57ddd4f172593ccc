using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AuthService.Pkcs11.Errors;

namespace AuthService.Pkcs11.Keys;

/// <summary>Reads one X.509 certificate from PEM or DER bytes (so that stdin can be piped in).</summary>
internal static class CertificateReader
{
    public static X509Certificate2 Read(ReadOnlySpan<byte> input)
    {
        try
        {
            if (input.IndexOf("-----BEGIN "u8) >= 0)
            {
                string text = Encoding.ASCII.GetString(input);
                if (!PemEncoding.TryFind(text, out PemFields fields) || text[fields.Label] != "CERTIFICATE")
                {
                    throw Invalid("expected a PEM block labelled CERTIFICATE");
                }

                byte[] der = Convert.FromBase64String(text[fields.Base64Data]);
                return X509CertificateLoader.LoadCertificate(der);
            }

            return X509CertificateLoader.LoadCertificate(input);
        }
        catch (CryptographicException)
        {
            throw Invalid("the data is not an X.509 certificate in PEM or DER form");
        }
        catch (FormatException)
        {
            throw Invalid("the PEM body is not valid base64");
        }
    }

    private static Pkcs11Exception Invalid(string message) =>
        new("ImportCertificate", Pkcs11ErrorKind.InvalidInput, message, "pass the client certificate (client.crt) as PEM or DER");
}

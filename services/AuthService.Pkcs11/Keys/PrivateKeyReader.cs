using System.Security.Cryptography;
using System.Text;
using AuthService.Pkcs11.Errors;

namespace AuthService.Pkcs11.Keys;

/// <summary>
/// Reads a private key in the formats operators have (see the setup procedure's format table): PKCS#8
/// ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY"), SEC1 ("EC PRIVATE KEY"), encrypted PKCS#8 ("ENCRYPTED PRIVATE
/// KEY", needs the password) as PEM, or PKCS#8 as DER. Error messages describe the format, never the content.
/// </summary>
internal static class PrivateKeyReader
{
    public static AsymmetricAlgorithm Read(ReadOnlySpan<byte> input, ReadOnlySpan<char> password)
    {
        if (LooksLikePem(input))
        {
            char[] text = Encoding.ASCII.GetChars(input.ToArray());
            try
            {
                return ReadPem(text, password);
            }
            finally
            {
                Array.Clear(text);
            }
        }

        return ReadPkcs8Der(input, password);
    }

    private static bool LooksLikePem(ReadOnlySpan<byte> input)
    {
        ReadOnlySpan<byte> marker = "-----BEGIN "u8;
        return input.IndexOf(marker) >= 0;
    }

    private static AsymmetricAlgorithm ReadPem(ReadOnlySpan<char> pem, ReadOnlySpan<char> password)
    {
        if (!PemEncoding.TryFind(pem, out PemFields fields))
        {
            throw Invalid("the PEM text has no complete -----BEGIN/END----- block");
        }

        string label = pem[fields.Label].ToString();
        if (pem[fields.Location].IndexOf("Proc-Type:".AsSpan(), StringComparison.Ordinal) >= 0)
        {
            throw Invalid("legacy OpenSSL-encrypted PEM (Proc-Type: 4,ENCRYPTED) is not supported; convert it with 'openssl pkcs8 -topk8'");
        }

        byte[] der = new byte[fields.DecodedDataLength];
        try
        {
            if (!Convert.TryFromBase64Chars(pem[fields.Base64Data], der, out int written))
            {
                throw Invalid("the PEM body is not valid base64");
            }

            ReadOnlySpan<byte> body = der.AsSpan(0, written);
            byte[] bodyArray = body.ToArray();
            switch (label)
            {
                case "PRIVATE KEY":
                    return ReadPkcs8Der(body, default);
                case "ENCRYPTED PRIVATE KEY":
                    if (password.IsEmpty)
                    {
                        throw Invalid("the key is an encrypted PKCS#8 key: supply its password");
                    }

                    return ReadPkcs8Der(body, password);
                case "RSA PRIVATE KEY":
                    return Import(() =>
                    {
                        var rsa = RSA.Create();
                        rsa.ImportRSAPrivateKey(bodyArray, out _);
                        return rsa;
                    }, "PKCS#1 RSA private key");
                case "EC PRIVATE KEY":
                    return Import(() =>
                    {
                        var ec = ECDsa.Create();
                        ec.ImportECPrivateKey(bodyArray, out _);
                        return ec;
                    }, "SEC1 EC private key");
                default:
                    throw Invalid($"a PEM block labelled '{label}' is not a private key (expected PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY or ENCRYPTED PRIVATE KEY)");
            }
        }
        finally
        {
            Array.Clear(der);
        }
    }

    private static AsymmetricAlgorithm ReadPkcs8Der(ReadOnlySpan<byte> der, ReadOnlySpan<char> password)
    {
        byte[] copy = der.ToArray();
        char[] pw = password.ToArray();
        try
        {
            var rsa = RSA.Create();
            try
            {
                if (pw.Length > 0)
                {
                    rsa.ImportEncryptedPkcs8PrivateKey(pw, copy, out _);
                }
                else
                {
                    rsa.ImportPkcs8PrivateKey(copy, out _);
                }

                return rsa;
            }
            catch (CryptographicException)
            {
                rsa.Dispose();
            }

            var ec = ECDsa.Create();
            try
            {
                if (pw.Length > 0)
                {
                    ec.ImportEncryptedPkcs8PrivateKey(pw, copy, out _);
                }
                else
                {
                    ec.ImportPkcs8PrivateKey(copy, out _);
                }

                return ec;
            }
            catch (CryptographicException)
            {
                ec.Dispose();
                throw Invalid(pw.Length > 0
                    ? "the encrypted PKCS#8 key could not be decrypted (wrong password?) or is neither RSA nor EC"
                    : "the key is not a PKCS#8 RSA or EC private key (PEM: PRIVATE KEY, RSA PRIVATE KEY, EC PRIVATE KEY, ENCRYPTED PRIVATE KEY; or DER PKCS#8)");
            }
        }
        finally
        {
            Array.Clear(copy);
            Array.Clear(pw);
        }
    }

    private static AsymmetricAlgorithm Import(Func<AsymmetricAlgorithm> import, string what)
    {
        try
        {
            return import();
        }
        catch (CryptographicException)
        {
            throw Invalid($"the {what} could not be read");
        }
    }

    private static Pkcs11Exception Invalid(string message) =>
        new("ImportPrivateKey", Pkcs11ErrorKind.InvalidInput, message, "convert the key with 'openssl pkcs8 -topk8 -nocrypt -in key.pem' and retry");
}

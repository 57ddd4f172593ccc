using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AuthService.Aws.Signing.X509;

/// <summary>
/// Loads certificates and private keys from files the way <c>aws_signing_helper</c> accepts them: PEM keys as
/// PKCS#8 (<c>PRIVATE KEY</c>), SEC1 (<c>EC PRIVATE KEY</c>), PKCS#1 (<c>RSA PRIVATE KEY</c>) or encrypted PKCS#8
/// (<c>ENCRYPTED PRIVATE KEY</c>, with a password); certificates as PEM or DER, or a PKCS#12 file holding both.
/// </summary>
public static class X509KeyFiles
{
    /// <summary>
    /// Loads a signer from a certificate file and a key file. When <paramref name="privateKeyPath"/> is null and the
    /// certificate file is not PEM, it is read as PKCS#12 (certificate and key together, password
    /// <paramref name="password"/> or empty).
    /// </summary>
    public static FileX509Signer LoadSigner(string certificatePath, string? privateKeyPath, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        if (privateKeyPath is null || string.Equals(Path.GetFullPath(privateKeyPath), Path.GetFullPath(certificatePath), StringComparison.Ordinal))
        {
            var bytes = ReadFile(certificatePath, "certificate");
            if (!LooksLikePem(bytes))
            {
                return LoadPkcs12(certificatePath, password);
            }

            privateKeyPath ??= certificatePath;
        }

        var certificate = LoadCertificate(certificatePath);
        var key = LoadPrivateKey(privateKeyPath, password);
        try
        {
            return new FileX509Signer(certificate, key);
        }
        catch (ArgumentException e)
        {
            key.Dispose();
            throw new X509KeyFileException($"{e.Message.Split(" (Parameter", 2)[0]} (certificate '{certificatePath}', key '{privateKeyPath}').", e);
        }
    }

    /// <summary>Loads the first certificate of a PEM file, or a DER certificate.</summary>
    public static X509Certificate2 LoadCertificate(string path)
    {
        var all = LoadCertificates(path);
        return all.Count > 0
            ? all[0]
            : throw new X509KeyFileException($"No certificate in '{path}': expected a PEM file with a '-----BEGIN CERTIFICATE-----' block, or a DER certificate.");
    }

    /// <summary>Loads every certificate of a PEM bundle (e.g. <c>--intermediates</c>), or one DER certificate.</summary>
    public static IReadOnlyList<X509Certificate2> LoadCertificates(string path)
    {
        var bytes = ReadFile(path, "certificate");
        try
        {
            if (!LooksLikePem(bytes))
            {
                return [X509CertificateLoader.LoadCertificate(bytes)];
            }

            var certificates = new List<X509Certificate2>();
            foreach (var (label, der) in PemBlocks(File.ReadAllText(path)))
            {
                if (label == "CERTIFICATE")
                {
                    certificates.Add(X509CertificateLoader.LoadCertificate(der));
                }
            }

            return certificates;
        }
        catch (CryptographicException e)
        {
            throw new X509KeyFileException($"'{path}' holds a certificate that cannot be parsed: check that it is an X.509 certificate in PEM or DER form.", e);
        }
    }

    /// <summary>Loads a private key from a PEM file: PKCS#8, SEC1, PKCS#1, or encrypted PKCS#8 (needs <paramref name="pkcs8Password"/>).</summary>
    public static AsymmetricAlgorithm LoadPrivateKey(string path, string? pkcs8Password = null)
    {
        var bytes = ReadFile(path, "private key");
        if (!LooksLikePem(bytes))
        {
            throw new X509KeyFileException(
                $"'{path}' is not a PEM private key: expected '-----BEGIN PRIVATE KEY-----', 'EC PRIVATE KEY', 'RSA PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY' (convert with 'openssl pkcs8 -topk8 -nocrypt').");
        }

        foreach (var (label, der) in PemBlocks(File.ReadAllText(path)))
        {
            switch (label)
            {
                case "PRIVATE KEY":
                    return ImportPkcs8(path, der, password: null);
                case "ENCRYPTED PRIVATE KEY":
                    if (string.IsNullOrEmpty(pkcs8Password))
                    {
                        throw new X509KeyFileException($"'{path}' is an encrypted PKCS#8 key: pass its password with --pkcs8-password.");
                    }

                    return ImportPkcs8(path, der, pkcs8Password);
                case "EC PRIVATE KEY":
                    return Import(path, "SEC1 EC", () =>
                    {
                        var ec = ECDsa.Create();
                        ec.ImportECPrivateKey(der, out _);
                        return ec;
                    });
                case "RSA PRIVATE KEY":
                    return Import(path, "PKCS#1 RSA", () =>
                    {
                        var rsa = RSA.Create();
                        rsa.ImportRSAPrivateKey(der, out _);
                        return rsa;
                    });
                default:
                    // EC PARAMETERS (written by 'openssl ecparam -genkey') and certificates may share the file.
                    continue;
            }
        }

        throw new X509KeyFileException($"No private key block in '{path}': expected 'PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY'.");
    }

    /// <summary>Loads a PKCS#12 file holding a certificate with its private key (password empty when null).</summary>
    public static FileX509Signer LoadPkcs12(string path, string? password = null)
    {
        X509Certificate2Collection collection;
        try
        {
            collection = X509CertificateLoader.LoadPkcs12CollectionFromFile(path, password ?? string.Empty, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // ArgumentException: .NET 10's BER pre-read of a truncated file ("Destination is too short"), found by fuzzing.
            throw new X509KeyFileException(
                $"'{path}' is neither PEM nor a PKCS#12 file that opens with the {(string.IsNullOrEmpty(password) ? "empty password" : "given password")}: " +
                "pass a PEM certificate and key, or the right PKCS#12 password.", e);
        }

        var leaf = collection.FirstOrDefault(c => c.HasPrivateKey)
            ?? throw new X509KeyFileException($"The PKCS#12 file '{path}' holds no private key: export it with the key ('openssl pkcs12 -export -inkey ...').");
        AsymmetricAlgorithm key = (AsymmetricAlgorithm?)leaf.GetRSAPrivateKey() ?? leaf.GetECDsaPrivateKey()
            ?? throw new X509KeyFileException($"The key in '{path}' is neither RSA nor EC: Roles Anywhere accepts only those.");
        var publicOnly = X509CertificateLoader.LoadCertificate(leaf.RawData);
        foreach (var certificate in collection)
        {
            certificate.Dispose();
        }

        return new FileX509Signer(publicOnly, key);
    }

    private static AsymmetricAlgorithm ImportPkcs8(string path, byte[] der, string? password)
    {
        // PKCS#8 names the algorithm inside; try RSA then EC, as the helper does.
        var rsa = RSA.Create();
        try
        {
            if (password is null)
            {
                rsa.ImportPkcs8PrivateKey(der, out _);
            }
            else
            {
                rsa.ImportEncryptedPkcs8PrivateKey(password, der, out _);
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
            if (password is null)
            {
                ec.ImportPkcs8PrivateKey(der, out _);
            }
            else
            {
                ec.ImportEncryptedPkcs8PrivateKey(password, der, out _);
            }

            return ec;
        }
        catch (Exception e) when (e is CryptographicException or PlatformNotSupportedException)
        {
            // PlatformNotSupportedException: an EC key on a curve OpenSSL does not know (found by fuzzing).
            ec.Dispose();
            throw new X509KeyFileException(password is null
                ? $"'{path}' holds a PKCS#8 key that is neither RSA nor EC, or is damaged: Roles Anywhere needs an RSA or EC key."
                : $"Cannot decrypt the PKCS#8 key in '{path}': check --pkcs8-password (and that the key is RSA or EC).", e);
        }
    }

    private static AsymmetricAlgorithm Import(string path, string kind, Func<AsymmetricAlgorithm> import)
    {
        try
        {
            return import();
        }
        catch (CryptographicException e)
        {
            throw new X509KeyFileException($"'{path}' holds a {kind} private key that cannot be parsed: check that the file is complete.", e);
        }
        catch (PlatformNotSupportedException e)
        {
            // An EC key naming a curve OpenSSL does not know (found by fuzzing): the file's fault, said with its path.
            throw new X509KeyFileException($"'{path}' holds a {kind} private key on a curve this platform does not support: Roles Anywhere accepts RSA and EC P-256/P-384 keys.", e);
        }
    }

    private static IEnumerable<(string Label, byte[] Der)> PemBlocks(string text)
    {
        var remaining = text.AsMemory();
        while (PemEncoding.TryFind(remaining.Span, out var fields))
        {
            var block = remaining.Span;
            var label = block[fields.Label].ToString();
            var der = Convert.FromBase64String(block[fields.Base64Data].ToString());
            remaining = remaining[fields.Location.End..];
            yield return (label, der);
        }
    }

    private static bool LooksLikePem(byte[] bytes) =>
        System.Text.Encoding.ASCII.GetString(bytes, 0, Math.Min(bytes.Length, 64 * 1024)).Contains("-----BEGIN ", StringComparison.Ordinal);

    private static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new X509KeyFileException($"Cannot read the {what} file '{path}': {e.Message} Check the path and that the service user may read it.", e);
        }
    }
}

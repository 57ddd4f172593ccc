using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Keys;

/// <summary>
/// A certificate and its private key on a token, opened from the two URIs of an aws_signing_helper command line
/// (<c>--certificate pkcs11:... --private-key pkcs11:... --pkcs11-lib path</c>) and proven to belong together.
/// </summary>
public sealed class Pkcs11Identity : IDisposable
{
    private readonly List<Pkcs11Token> _tokens;

    private Pkcs11Identity(List<Pkcs11Token> tokens, X509Certificate2 certificate, Pkcs11PrivateKey key)
    {
        _tokens = tokens;
        Certificate = certificate;
        PrivateKey = key;
    }

    /// <summary>The certificate read from the token.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The private key, verified to belong to <see cref="Certificate"/>.</summary>
    public Pkcs11PrivateKey PrivateKey { get; }

    /// <summary>
    /// Opens the module (the explicit path, else module-path of a URI), the token, logs in with the URI's PIN,
    /// reads the certificate and finds its key. With neither object= nor id= in the key URI, the key is found from
    /// the certificate (CKA_ID, public key, test signature).
    /// </summary>
    /// <exception cref="Pkcs11Exception">Token, certificate or key not found, wrong PIN, or key/certificate mismatch.</exception>
    public static Pkcs11Identity Open(string? modulePath, string certificateUri, string privateKeyUri)
    {
        Pkcs11Uri certUri = Pkcs11Uri.Parse(certificateUri);
        Pkcs11Uri keyUri = Pkcs11Uri.Parse(privateKeyUri);
        string path = modulePath ?? ModuleLocator.Resolve(keyUri) ?? ModuleLocator.Resolve(certUri)
            ?? throw new ArgumentException("No PKCS#11 module: pass --pkcs11-lib, or module-path= / module-name= in the URI.", nameof(modulePath));
        Pkcs11Module module = Pkcs11Module.Open(path);
        var tokens = new List<Pkcs11Token>();
        try
        {
            Pkcs11Token keyToken = module.OpenToken(keyUri);
            tokens.Add(keyToken);
            Pkcs11Token certToken = keyToken;
            bool sameToken = (certUri.Token is null || certUri.Token == keyToken.Label) && (certUri.Serial is null || certUri.Serial == keyToken.SerialNumber);
            if (!sameToken)
            {
                certToken = module.OpenToken(certUri);
                tokens.Add(certToken);
            }
            else if (!keyToken.HasPin && certUri.ReadPin() is { } pin)
            {
                keyToken.Login(pin);
            }

            X509Certificate2 cert = certToken.GetCertificate(certUri);
            Pkcs11PrivateKey key;
            if (keyUri.ObjectLabel is null && keyUri.Id is null)
            {
                key = keyToken.FindPrivateKeyForCertificate(cert);
            }
            else
            {
                key = keyToken.GetPrivateKey(keyUri);
                key.EnsureMatchesCertificate(cert);
            }

            return new Pkcs11Identity(tokens, cert, key);
        }
        catch
        {
            tokens.ForEach(t => t.Dispose());
            throw;
        }
    }

    /// <summary>Signs with the private key in the token (ECDSA: DER by default).</summary>
    public byte[] SignData(ReadOnlySpan<byte> data, Pkcs11SignatureAlgorithm algorithm, DSASignatureFormat ecdsaFormat = DSASignatureFormat.Rfc3279DerSequence)
        => PrivateKey.SignData(data, algorithm, ecdsaFormat);

    /// <summary>Closes the token sessions.</summary>
    public void Dispose()
    {
        Certificate.Dispose();
        _tokens.ForEach(t => t.Dispose());
    }
}

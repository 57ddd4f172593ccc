using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Sessions;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Keys;

/// <summary>
/// A private key that stays in the token: it signs, it never exports. Holds only the key's label, CKA_ID and
/// type; the object handle is looked up again after a reconnect (handles are per process and session state).
/// </summary>
public sealed class Pkcs11PrivateKey
{
    private readonly object _cacheLock = new();
    private readonly byte[] _id;
    private ulong _handle;
    private int _generation;

    private Pkcs11PrivateKey(Pkcs11Token token, Pkcs11ObjectInfo info, Pkcs11KeyType keyType, int keySizeBits, bool alwaysAuthenticate)
    {
        Token = token;
        Label = info.Label;
        _id = info.Id;
        KeyType = keyType;
        KeySizeBits = keySizeBits;
        AlwaysAuthenticate = alwaysAuthenticate;
        _handle = info.Handle;
        _generation = token.Generation;
    }

    /// <summary>The token holding the key.</summary>
    public Pkcs11Token Token { get; }

    /// <summary>CKA_LABEL.</summary>
    public string Label { get; }

    /// <summary>CKA_ID (a copy).</summary>
    public byte[] Id => _id.ToArray();

    /// <summary>RSA or EC.</summary>
    public Pkcs11KeyType KeyType { get; }

    /// <summary>Modulus bits (RSA) or field size bits (EC).</summary>
    public int KeySizeBits { get; }

    /// <summary>CKA_ALWAYS_AUTHENTICATE: each signature needs a context-specific login, which this class performs.</summary>
    public bool AlwaysAuthenticate { get; }

    internal static Pkcs11PrivateKey Load(Pkcs11Token token, Pkcs11Session s, Pkcs11ObjectInfo info)
    {
        byte[]?[] a = s.GetAttributes(info.Handle, Cka.KeyType, Cka.Modulus, Cka.EcParams, Cka.AlwaysAuthenticate, Cka.Sign);
        ulong keyType = Pkcs11Session.ULong(a[0]);
        bool alwaysAuthenticate = Pkcs11Session.Bool(a[3]);
        return keyType switch
        {
            Ckk.Rsa => new Pkcs11PrivateKey(token, info, Pkcs11KeyType.Rsa, (a[1]?.Length ?? 0) * 8, alwaysAuthenticate),
            Ckk.Ec => new Pkcs11PrivateKey(token, info, Pkcs11KeyType.Ec, EcCurves.FieldBits(a[2]), alwaysAuthenticate),
            _ => throw new Pkcs11Exception("C_GetAttributeValue", Pkcs11ErrorKind.Other, $"the key {info} has an unsupported CKA_KEY_TYPE (only RSA and EC are supported)", null),
        };
    }

    internal ulong Handle(Pkcs11Session s)
    {
        lock (_cacheLock)
        {
            if (_generation == Token.Generation)
            {
                return _handle;
            }
        }

        List<Pkcs11ObjectInfo> found = Pkcs11Token.Find(s, Pkcs11ObjectClass.PrivateKey, Label, _id);
        if (found.Count != 1)
        {
            // Tell "the token went away" (CKR_TOKEN_NOT_PRESENT, which reconnects) from "the key was deleted".
            Token.EnsurePresent(s);
            throw new Pkcs11Exception("C_FindObjects", Pkcs11ErrorKind.ObjectNotFound,
                $"the private key label='{Label}' id={Convert.ToHexStringLower(_id)} is no longer on {Token}", Pkcs11Remedies.KeyNotFound);
        }

        lock (_cacheLock)
        {
            _handle = found[0].Handle;
            _generation = Token.Generation;
            return _handle;
        }
    }

    /// <summary>
    /// Signs data in the token. RSA mechanisms hash inside the token; ECDSA hashes here and signs with CKM_ECDSA.
    /// </summary>
    /// <param name="data">The message (not a hash).</param>
    /// <param name="algorithm">Must fit the key type.</param>
    /// <param name="ecdsaFormat">ECDSA output: DER SEQUENCE{r,s} (default, for X.509/AWS) or raw r‖s (IEEE P1363).</param>
    public byte[] SignData(ReadOnlySpan<byte> data, Pkcs11SignatureAlgorithm algorithm, DSASignatureFormat ecdsaFormat = DSASignatureFormat.Rfc3279DerSequence)
    {
        CheckAlgorithm(algorithm);
        byte[] input = SignatureMechanisms.IsEcdsa(algorithm)
            ? HashData(SignatureMechanisms.Hash(algorithm), data)
            : data.ToArray();
        ulong mechanism = SignatureMechanisms.Mechanism(algorithm);
        byte[] parameter = SignatureMechanisms.Parameter(algorithm);
        byte[] signature = Token.Run(s =>
        {
            ulong handle = Handle(s);
            if (!AlwaysAuthenticate)
            {
                return s.Sign(handle, mechanism, parameter, input, default, contextLogin: false);
            }

            byte[] pin = Token.PinForContextLogin();
            try
            {
                return s.Sign(handle, mechanism, parameter, input, pin, contextLogin: true);
            }
            finally
            {
                Array.Clear(pin);
            }
        });
        return SignatureMechanisms.IsEcdsa(algorithm) && ecdsaFormat == DSASignatureFormat.Rfc3279DerSequence
            ? Der.EcdsaRawToDer(signature)
            : signature;
    }

    /// <summary>
    /// Verifies with the token's public key object of the same CKA_ID (C_Verify), or, when the token has none,
    /// with the public key read from the private key object.
    /// </summary>
    public bool VerifyData(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, Pkcs11SignatureAlgorithm algorithm, DSASignatureFormat ecdsaFormat = DSASignatureFormat.Rfc3279DerSequence)
    {
        CheckAlgorithm(algorithm);
        bool ecdsa = SignatureMechanisms.IsEcdsa(algorithm);
        byte[] input = ecdsa ? HashData(SignatureMechanisms.Hash(algorithm), data) : data.ToArray();
        byte[] sig;
        try
        {
            sig = ecdsa && ecdsaFormat == DSASignatureFormat.Rfc3279DerSequence ? Der.EcdsaDerToRaw(signature, (KeySizeBits + 7) / 8) : signature.ToArray();
        }
        catch (CryptographicException)
        {
            return false;
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return false;
        }

        ulong mechanism = SignatureMechanisms.Mechanism(algorithm);
        byte[] parameter = SignatureMechanisms.Parameter(algorithm);
        byte[] message = data.ToArray();
        byte[] original = signature.ToArray();
        return Token.Run(s =>
        {
            List<Pkcs11ObjectInfo> publicKeys = Pkcs11Token.Find(s, Pkcs11ObjectClass.PublicKey, null, _id);
            if (publicKeys.Count > 0)
            {
                return s.Verify(publicKeys[0].Handle, mechanism, parameter, input, sig);
            }

            using AsymmetricAlgorithm key = ReadPublicKey(s);
            return VerifyLocally(key, message, original, algorithm, ecdsaFormat);
        });
    }

    /// <summary>The public key (RSA or ECDsa, public part only).</summary>
    public AsymmetricAlgorithm GetPublicKey() => Token.Run(ReadPublicKey);

    /// <summary>True when this key signs a random challenge that the certificate's public key verifies.</summary>
    public bool MatchesCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        byte[] challenge = RandomNumberGenerator.GetBytes(32);
        Pkcs11SignatureAlgorithm algorithm = KeyType == Pkcs11KeyType.Rsa ? Pkcs11SignatureAlgorithm.RsaPkcs1Sha256 : Pkcs11SignatureAlgorithm.EcdsaSha256;
        using RSA? rsa = certificate.GetRSAPublicKey();
        using ECDsa? ec = certificate.GetECDsaPublicKey();
        if ((KeyType == Pkcs11KeyType.Rsa && rsa is null) || (KeyType == Pkcs11KeyType.Ec && ec is null))
        {
            return false;
        }

        byte[] signature = SignData(challenge, algorithm);
        return KeyType == Pkcs11KeyType.Rsa
            ? rsa!.VerifyData(challenge, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : ec!.VerifyData(challenge, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Throws <see cref="Pkcs11ErrorKind.KeyCertificateMismatch"/> unless the key belongs to the certificate.</summary>
    public void EnsureMatchesCertificate(X509Certificate2 certificate)
    {
        if (!MatchesCertificate(certificate))
        {
            throw new Pkcs11Exception("MatchesCertificate", Pkcs11ErrorKind.KeyCertificateMismatch,
                $"the private key label='{Label}' id={Convert.ToHexStringLower(_id)} on {Token} does not belong to the certificate '{certificate.Subject}' (serial {certificate.SerialNumber})",
                Pkcs11Remedies.KeyCertificateMismatch);
        }
    }

    /// <summary>An <see cref="X509SignatureGenerator"/> that signs in the token, for CertificateRequest and CertificateRequest.Create.</summary>
    /// <param name="rsaPadding">PKCS#1 (default) or PSS, for RSA keys.</param>
    public X509SignatureGenerator CreateSignatureGenerator(RSASignaturePadding? rsaPadding = null) => new Pkcs11SignatureGenerator(this, rsaPadding ?? RSASignaturePadding.Pkcs1);

    /// <summary>Builds a PKCS#10 certificate signing request (DER) for this key, signed in the token.</summary>
    public byte[] CreateSigningRequest(X500DistinguishedName subject, HashAlgorithmName hash, RSASignaturePadding? rsaPadding = null)
    {
        ArgumentNullException.ThrowIfNull(subject);
        X509SignatureGenerator generator = CreateSignatureGenerator(rsaPadding);
        var request = new CertificateRequest(subject, generator.PublicKey, hash);
        return request.CreateSigningRequest(generator);
    }

    /// <summary>Label, id and type only.</summary>
    public override string ToString() => $"{KeyType} private key label='{Label}' id={Convert.ToHexStringLower(_id)} on {Token}";

    private void CheckAlgorithm(Pkcs11SignatureAlgorithm algorithm)
    {
        // SoftHSM accepts an RSA mechanism on an EC key at C_SignInit and fails later with CKR_GENERAL_ERROR.
        bool ecdsa = SignatureMechanisms.IsEcdsa(algorithm);
        if (ecdsa != (KeyType == Pkcs11KeyType.Ec))
        {
            throw new Pkcs11Exception("C_SignInit", Pkcs11ErrorKind.InvalidInput,
                $"{algorithm} cannot be used with the {KeyType} key label='{Label}'", "use an Ecdsa* algorithm for EC keys and an Rsa* algorithm for RSA keys");
        }
    }

    private AsymmetricAlgorithm ReadPublicKey(Pkcs11Session s)
    {
        ulong handle = Handle(s);
        if (KeyType == Pkcs11KeyType.Rsa)
        {
            byte[]?[] a = s.GetAttributes(handle, Cka.Modulus, Cka.PublicExponent);
            if (a[0] is null || a[1] is null)
            {
                List<Pkcs11ObjectInfo> pub = Pkcs11Token.Find(s, Pkcs11ObjectClass.PublicKey, null, _id);
                a = pub.Count > 0 ? s.GetAttributes(pub[0].Handle, Cka.Modulus, Cka.PublicExponent) : a;
            }

            return RSA.Create(new RSAParameters
            {
                Modulus = a[0] ?? throw NoPublicKey(),
                Exponent = a[1] ?? throw NoPublicKey(),
            });
        }

        // SoftHSM private EC keys have no CKA_EC_POINT: read the public key object of the same CKA_ID.
        List<Pkcs11ObjectInfo> publicKeys = Pkcs11Token.Find(s, Pkcs11ObjectClass.PublicKey, null, _id);
        if (publicKeys.Count == 0)
        {
            throw NoPublicKey();
        }

        byte[]?[] e = s.GetAttributes(publicKeys[0].Handle, Cka.EcParams, Cka.EcPoint);
        return EcCurves.ToPublicKey(e[0] ?? throw NoPublicKey(), e[1] ?? throw NoPublicKey());
    }

    private Pkcs11Exception NoPublicKey() => new("C_GetAttributeValue", Pkcs11ErrorKind.ObjectNotFound,
        $"no public key material for label='{Label}' id={Convert.ToHexStringLower(_id)} on {Token}", "import the key with its public key object (or with its certificate)");

    private static bool VerifyLocally(AsymmetricAlgorithm key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, Pkcs11SignatureAlgorithm algorithm, DSASignatureFormat format)
    {
        HashAlgorithmName hash = SignatureMechanisms.Hash(algorithm);
        return key switch
        {
            RSA rsa => rsa.VerifyData(data, signature, hash, algorithm is Pkcs11SignatureAlgorithm.RsaPssSha256 or Pkcs11SignatureAlgorithm.RsaPssSha384 or Pkcs11SignatureAlgorithm.RsaPssSha512 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.VerifyData(data, signature, hash, format),
            _ => false,
        };
    }

    private static byte[] HashData(HashAlgorithmName hash, ReadOnlySpan<byte> data) => hash.Name switch
    {
        "SHA256" => SHA256.HashData(data),
        "SHA384" => SHA384.HashData(data),
        _ => SHA512.HashData(data),
    };
}

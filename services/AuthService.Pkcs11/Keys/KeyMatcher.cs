using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Sessions;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Keys;

/// <summary>
/// Finds the private key of a certificate: by CKA_ID (the convention both tools follow with --id), then by public
/// key material, then by a test signature verified with the certificate's public key (the most robust check, as
/// aws_signing_helper's checkPrivateKeyMatchesCert does).
/// </summary>
internal static class KeyMatcher
{
    public static Pkcs11PrivateKey Find(Pkcs11Token token, Pkcs11Session s, X509Certificate2 cert)
    {
        var tried = new List<Pkcs11ObjectInfo>();

        // 1. CKA_ID of the certificate object(s) holding these exact bytes.
        using (var byValue = new AttributeTemplate())
        {
            byValue.Add(Cka.Class, Cko.Certificate).Add(Cka.Value, cert.RawData);
            foreach (Pkcs11ObjectInfo certObject in Pkcs11Token.FindByTemplate(s, byValue))
            {
                if (certObject.Id.Length == 0)
                {
                    continue;
                }

                foreach (Pkcs11ObjectInfo candidate in Pkcs11Token.Find(s, Pkcs11ObjectClass.PrivateKey, null, certObject.Id))
                {
                    if (Proves(token, s, candidate, cert, tried))
                    {
                        return Pkcs11PrivateKey.Load(token, s, candidate);
                    }
                }
            }
        }

        // 2. Public key material.
        foreach (Pkcs11ObjectInfo candidate in ByPublicKey(s, cert))
        {
            if (Proves(token, s, candidate, cert, tried))
            {
                return Pkcs11PrivateKey.Load(token, s, candidate);
            }
        }

        // 3. Every remaining private key, by test signature.
        foreach (Pkcs11ObjectInfo candidate in Pkcs11Token.Find(s, Pkcs11ObjectClass.PrivateKey, null, null))
        {
            if (Proves(token, s, candidate, cert, tried))
            {
                return Pkcs11PrivateKey.Load(token, s, candidate);
            }
        }

        if (tried.Count > 0)
        {
            throw new Pkcs11Exception("FindPrivateKeyForCertificate", Pkcs11ErrorKind.KeyCertificateMismatch,
                $"no private key on {token} belongs to the certificate '{cert.Subject}' (serial {cert.SerialNumber}); keys tried: {string.Join("; ", tried)}",
                Pkcs11Remedies.KeyCertificateMismatch);
        }

        throw new Pkcs11Exception("FindPrivateKeyForCertificate", Pkcs11ErrorKind.ObjectNotFound,
            $"no private key on {token} for the certificate '{cert.Subject}' (serial {cert.SerialNumber}); no private keys are visible{(token.HasPin ? "" : " (not logged in)")}",
            Pkcs11Remedies.KeyNotFound);
    }

    private static List<Pkcs11ObjectInfo> ByPublicKey(Pkcs11Session s, X509Certificate2 cert)
    {
        using RSA? rsa = cert.GetRSAPublicKey();
        if (rsa is not null)
        {
            // SoftHSM private RSA objects carry CKA_MODULUS.
            using var t = new AttributeTemplate();
            t.Add(Cka.Class, Cko.PrivateKey).Add(Cka.KeyType, Ckk.Rsa).Add(Cka.Modulus, rsa.ExportParameters(false).Modulus);
            return Pkcs11Token.FindByTemplate(s, t);
        }

        using ECDsa? ec = cert.GetECDsaPublicKey();
        if (ec is not null)
        {
            // Private EC keys have no CKA_EC_POINT on SoftHSM: match the public key object, then take its CKA_ID.
            ECParameters p = ec.ExportParameters(false);
            using var t = new AttributeTemplate();
            t.Add(Cka.Class, Cko.PublicKey).Add(Cka.EcPoint, Der.WrapOctetString([0x04, .. p.Q.X!, .. p.Q.Y!]));
            var result = new List<Pkcs11ObjectInfo>();
            foreach (Pkcs11ObjectInfo pub in Pkcs11Token.FindByTemplate(s, t))
            {
                result.AddRange(Pkcs11Token.Find(s, Pkcs11ObjectClass.PrivateKey, null, pub.Id));
            }

            return result;
        }

        return [];
    }

    private static bool Proves(Pkcs11Token token, Pkcs11Session s, Pkcs11ObjectInfo candidate, X509Certificate2 cert, List<Pkcs11ObjectInfo> tried)
    {
        if (tried.Exists(t => t.Handle == candidate.Handle))
        {
            return false;
        }

        tried.Add(candidate);
        Pkcs11PrivateKey key = Pkcs11PrivateKey.Load(token, s, candidate);
        using RSA? rsa = cert.GetRSAPublicKey();
        using ECDsa? ec = cert.GetECDsaPublicKey();
        if ((key.KeyType == Pkcs11KeyType.Rsa && rsa is null) || (key.KeyType == Pkcs11KeyType.Ec && ec is null))
        {
            return false;
        }

        // Signing here, on the leased session, avoids leasing a second session from inside an operation.
        byte[] challenge = RandomNumberGenerator.GetBytes(32);
        if (key.KeyType == Pkcs11KeyType.Rsa)
        {
            byte[] sig = SignOnSession(token, s, key, Ckm.Sha256RsaPkcs, challenge);
            return rsa!.VerifyData(challenge, sig, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        byte[] raw = SignOnSession(token, s, key, Ckm.Ecdsa, SHA256.HashData(challenge));
        return ec!.VerifyHash(SHA256.HashData(challenge), raw, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static byte[] SignOnSession(Pkcs11Token token, Pkcs11Session s, Pkcs11PrivateKey key, ulong mechanism, byte[] input)
    {
        if (!key.AlwaysAuthenticate)
        {
            return s.Sign(key.Handle(s), mechanism, [], input, default, contextLogin: false);
        }

        byte[] pin = token.PinForContextLogin();
        try
        {
            return s.Sign(key.Handle(s), mechanism, [], input, pin, contextLogin: true);
        }
        finally
        {
            Array.Clear(pin);
        }
    }
}

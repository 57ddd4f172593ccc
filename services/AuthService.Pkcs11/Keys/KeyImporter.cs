using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Native;
using AuthService.Pkcs11.Sessions;
using AuthService.Pkcs11.Tokens;

namespace AuthService.Pkcs11.Keys;

/// <summary>Creates key and certificate objects (C_CreateObject, C_GenerateKeyPair).</summary>
internal static class KeyImporter
{
    public static Pkcs11PrivateKey Import(Pkcs11Token token, Pkcs11Session s, AsymmetricAlgorithm key, string label, byte[] id, bool alwaysAuthenticate)
    {
        using var priv = new AttributeTemplate();
        using var pub = new AttributeTemplate();
        // Every protection flag is explicit: SoftHSM defaults CKA_SENSITIVE to false, and other modules differ.
        priv.Add(Cka.Class, Cko.PrivateKey).Add(Cka.Token, true).Add(Cka.Private, true)
            .Add(Cka.Sensitive, true).Add(Cka.Extractable, false).Add(Cka.Sign, true)
            .Add(Cka.Label, label).Add(Cka.Id, id);
        if (alwaysAuthenticate)
        {
            priv.Add(Cka.AlwaysAuthenticate, true);
        }

        pub.Add(Cka.Class, Cko.PublicKey).Add(Cka.Token, true).Add(Cka.Private, false).Add(Cka.Verify, true)
            .Add(Cka.Label, label).Add(Cka.Id, id);

        switch (key)
        {
            case RSA rsa:
            {
                RSAParameters p = rsa.ExportParameters(includePrivateParameters: true);
                try
                {
                    // Big-endian unsigned values, as RSAParameters already gives them. CRT values are sent too:
                    // many HSMs require them.
                    priv.Add(Cka.KeyType, Ckk.Rsa).Add(Cka.Decrypt, false).Add(Cka.Unwrap, false)
                        .Add(Cka.Modulus, p.Modulus).Add(Cka.PublicExponent, p.Exponent).Add(Cka.PrivateExponent, p.D)
                        .Add(Cka.Prime1, p.P).Add(Cka.Prime2, p.Q).Add(Cka.Exponent1, p.DP).Add(Cka.Exponent2, p.DQ)
                        .Add(Cka.Coefficient, p.InverseQ);
                    pub.Add(Cka.KeyType, Ckk.Rsa).Add(Cka.Encrypt, false).Add(Cka.Wrap, false)
                        .Add(Cka.Modulus, p.Modulus).Add(Cka.PublicExponent, p.Exponent);
                }
                finally
                {
                    Wipe(p.D, p.P, p.Q, p.DP, p.DQ, p.InverseQ);
                }

                break;
            }

            case ECDsa ec:
            {
                ECParameters p = ec.ExportParameters(includePrivateParameters: true);
                try
                {
                    byte[] ecParams = Der.EncodeOid(EcCurves.Oid(p.Curve));
                    priv.Add(Cka.KeyType, Ckk.Ec).Add(Cka.Derive, false).Add(Cka.EcParams, ecParams).Add(Cka.Value, p.D);
                    byte[] point = [0x04, .. p.Q.X!, .. p.Q.Y!];
                    pub.Add(Cka.KeyType, Ckk.Ec).Add(Cka.EcParams, ecParams).Add(Cka.EcPoint, Der.WrapOctetString(point));
                }
                finally
                {
                    Wipe(p.D);
                }

                break;
            }

            default:
                throw new Pkcs11Exception("ImportPrivateKey", Pkcs11ErrorKind.InvalidInput, "only RSA and EC keys can be imported", null);
        }

        ulong privateHandle = s.CreateObject(priv);
        try
        {
            s.CreateObject(pub);
        }
        catch
        {
            // Leave no half-imported key behind.
            s.DestroyObject(privateHandle);
            throw;
        }

        return Pkcs11PrivateKey.Load(token, s, Describe(s, privateHandle));
    }

    public static Pkcs11ObjectInfo ImportCertificate(Pkcs11Session s, X509Certificate2 cert, string label, byte[] id)
    {
        using var t = new AttributeTemplate();
        // The attributes pkcs11-tool --write-object --type cert writes, so other tools see the same object.
        t.Add(Cka.Class, Cko.Certificate).Add(Cka.CertificateType, Ckc.X509).Add(Cka.Token, true).Add(Cka.Private, false)
            .Add(Cka.Label, label).Add(Cka.Id, id)
            .Add(Cka.Subject, cert.SubjectName.RawData).Add(Cka.Issuer, cert.IssuerName.RawData)
            .Add(Cka.SerialNumber, Der.EncodeInteger(cert.SerialNumberBytes.Span))
            .Add(Cka.Value, cert.RawData);
        return Describe(s, s.CreateObject(t));
    }

    public static Pkcs11PrivateKey GenerateRsa(Pkcs11Token token, Pkcs11Session s, string label, byte[] id, int bits)
    {
        using var pub = new AttributeTemplate();
        using var priv = new AttributeTemplate();
        // SoftHSM derives no CKA_ID for generated keys: put label and id in both templates.
        pub.Add(Cka.Token, true).Add(Cka.Private, false).Add(Cka.Verify, true).Add(Cka.Encrypt, false).Add(Cka.Wrap, false)
            .Add(Cka.ModulusBits, (ulong)bits).Add(Cka.PublicExponent, [0x01, 0x00, 0x01]).Add(Cka.Label, label).Add(Cka.Id, id);
        PrivateTemplate(priv, label, id).Add(Cka.Decrypt, false).Add(Cka.Unwrap, false);
        (_, ulong privateHandle) = s.GenerateKeyPair(Ckm.RsaPkcsKeyPairGen, pub, priv);
        return Pkcs11PrivateKey.Load(token, s, Describe(s, privateHandle));
    }

    public static Pkcs11PrivateKey GenerateEc(Pkcs11Token token, Pkcs11Session s, string label, byte[] id, ECCurve curve)
    {
        using var pub = new AttributeTemplate();
        using var priv = new AttributeTemplate();
        pub.Add(Cka.Token, true).Add(Cka.Private, false).Add(Cka.Verify, true)
            .Add(Cka.EcParams, Der.EncodeOid(EcCurves.Oid(curve))).Add(Cka.Label, label).Add(Cka.Id, id);
        PrivateTemplate(priv, label, id).Add(Cka.Derive, false);
        (_, ulong privateHandle) = s.GenerateKeyPair(Ckm.EcKeyPairGen, pub, priv);
        return Pkcs11PrivateKey.Load(token, s, Describe(s, privateHandle));
    }

    private static AttributeTemplate PrivateTemplate(AttributeTemplate t, string label, byte[] id) =>
        t.Add(Cka.Token, true).Add(Cka.Private, true).Add(Cka.Sensitive, true).Add(Cka.Extractable, false).Add(Cka.Sign, true)
            .Add(Cka.Label, label).Add(Cka.Id, id);

    private static Pkcs11ObjectInfo Describe(Pkcs11Session s, ulong handle)
    {
        byte[]?[] a = s.GetAttributes(handle, Cka.Class, Cka.Label, Cka.Id, Cka.KeyType);
        ulong keyType = Pkcs11Session.ULong(a[3]);
        return new Pkcs11ObjectInfo((Pkcs11ObjectClass)Pkcs11Session.ULong(a[0]), Pkcs11Session.Utf8(a[1]), a[2] ?? [],
            keyType == Ckk.Rsa ? "RSA" : keyType == Ckk.Ec ? "EC" : null)
        { Handle = handle };
    }

    private static void Wipe(params byte[]?[] values)
    {
        foreach (byte[]? v in values)
        {
            if (v is not null)
            {
                CryptographicOperations.ZeroMemory(v);
            }
        }
    }
}

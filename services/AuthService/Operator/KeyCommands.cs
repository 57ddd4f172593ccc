using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>The key and certificate commands: import-key, import-cert, generate-key, csr, test-sign.</summary>
internal static class KeyCommands
{
    public static Command ImportKey()
    {
        var access = new TokenAccess();
        var label = new Option<string>("--label") { Description = "key label (default ra-key)", DefaultValueFactory = _ => "ra-key" };
        var id = new Option<string>("--id") { Description = "key id in hex (default 01)", DefaultValueFactory = _ => "01" };
        var file = new Option<string?>("--file") { Description = "read the key PEM from this file instead of stdin" };
        var passphrase = new Option<string?>("--passphrase-file") { Description = "passphrase of an encrypted PKCS#8 key (first line)" };
        var command = new Command("import-key", "Import a private key PEM (PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted PKCS#8) from stdin as a non-extractable token key plus its public key.")
        {
            label, id, file, passphrase,
        };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            byte[] keyId = HexId.Parse(parse.GetValue(id));
            var input = new OperatorInput();
            string pin = access.ReadPin(parse, input)!;
            byte[] pem = ReadKey(parse.GetValue(file), input);
            try
            {
                string? pass = Passphrase(pem, parse.GetValue(passphrase));
                using Pkcs11Token token = access.Open(parse, pin);
                RequireFreeId(token, keyId);
                Pkcs11PrivateKey key = token.ImportPrivateKey(pem, parse.GetValue(label)!, keyId, pass);
                Console.WriteLine($"Imported {KeyName(key)} private key label='{key.Label}' id={HexId.Format(keyId)} into {token}: sensitive, not extractable; public key object created.");
                return ExitCodes.Ok;
            }
            finally
            {
                Array.Clear(pem);
            }
        });
        return command;
    }

    /// <summary>The key PEM from --file or the rest of stdin.</summary>
    public static byte[] ReadKey(string? file, OperatorInput input)
    {
        byte[] pem = file is not null ? CertificateRequirements.ReadFile(file, "key") : input.ReadRest("private key PEM");
        return pem.Length > 0 ? pem : throw OperatorException.Usage("no private key on stdin: pipe the PEM in (cat key.pem | ...), or use --file FILE.");
    }

    /// <summary>The passphrase of an encrypted PKCS#8 key: from the file, else a prompt; null for unencrypted keys.</summary>
    public static string? Passphrase(byte[] pem, string? file)
    {
        if (pem.AsSpan().IndexOf("-----BEGIN ENCRYPTED PRIVATE KEY-----"u8) < 0)
        {
            return null;
        }

        return file is not null ? SecretInput.FromFile(file, "passphrase")
            : SecretInput.Prompt("Key passphrase: ")
            ?? throw OperatorException.Usage("the key is an encrypted PKCS#8 key: give its passphrase with --passphrase-file FILE, or run with a terminal (docker exec -it) to be prompted.");
    }

    public static void RequireFreeId(Pkcs11Token token, byte[] id)
    {
        if (token.FindObjects(new Pkcs11Uri { Id = id, Type = Pkcs11ObjectClass.PrivateKey }) is { Count: > 0 } existing)
        {
            throw new OperatorException($"{token} already has a private key with id {HexId.Format(id)} (label '{existing[0].Label}'). Fix: replace it with 'authservice token rotate-key --id {HexId.Format(id)}', or delete it first ('authservice token delete --id {HexId.Format(id)} --class private-key').");
        }
    }

    public static Command ImportCertificate()
    {
        var access = new TokenAccess();
        var label = new Option<string>("--label") { Description = "certificate label (default ra-cert)", DefaultValueFactory = _ => "ra-cert" };
        var id = new Option<string>("--id") { Description = "id of the key the certificate belongs to, hex (default 01)", DefaultValueFactory = _ => "01" };
        var file = new Option<string?>("--file") { Description = "read the certificate from this file instead of stdin" };
        var command = new Command("import-cert", "Import the client certificate (stdin) after checking it belongs to the key with the same id and meets the Roles Anywhere requirements.")
        {
            label, id, file,
        };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            byte[] keyId = HexId.Parse(parse.GetValue(id));
            var (token, cert) = access.OpenWithCertificate(parse, parse.GetValue(file));
            using var disposeToken = token;
            using var disposeCert = cert;
            CertificateRequirements.RequireMatchingKey(token, keyId, cert);
            if (token.FindObjects(new Pkcs11Uri { Id = keyId, Type = Pkcs11ObjectClass.Certificate }) is { Count: > 0 } existing)
            {
                throw new OperatorException($"{token} already has a certificate with id {HexId.Format(keyId)} (label '{existing[0].Label}'). Fix: use 'authservice token rotate-cert --id {HexId.Format(keyId)}' to replace it without a gap.");
            }

            token.ImportCertificate(cert.RawData, parse.GetValue(label)!, keyId);
            Console.WriteLine($"Imported certificate label='{parse.GetValue(label)}' id={HexId.Format(keyId)} into {token}; it matches the private key with the same id.");
            CertificateRequirements.Print(cert);
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command GenerateKey()
    {
        var access = new TokenAccess();
        var label = new Option<string>("--label") { Description = "key label (default ra-key)", DefaultValueFactory = _ => "ra-key" };
        var id = new Option<string>("--id") { Description = "key id in hex (default 01)", DefaultValueFactory = _ => "01" };
        var type = KeyTypeOption("--type");
        var command = new Command("generate-key", "Generate a key pair inside the token (never extractable); follow with 'token csr'.") { label, id, type };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            byte[] keyId = HexId.Parse(parse.GetValue(id));
            string pin = access.ReadPin(parse, new OperatorInput())!;
            using Pkcs11Token token = access.Open(parse, pin);
            RequireFreeId(token, keyId);
            Pkcs11PrivateKey key = Generate(token, parse.GetValue(type)!, parse.GetValue(label)!, keyId);
            Console.WriteLine($"Generated {KeyName(key)} key pair label='{key.Label}' id={HexId.Format(keyId)} in {token}: sensitive, not extractable.");
            Console.WriteLine($"Next: authservice token csr --token {token.Label} --id {HexId.Format(keyId)} --subject \"CN=...\"");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Option<string> KeyTypeOption(string name)
    {
        var type = new Option<string>(name) { Description = "rsa2048, rsa3072, ec-p256 or ec-p384 (default rsa2048)", DefaultValueFactory = _ => "rsa2048" };
        type.AcceptOnlyFromAmong("rsa2048", "rsa3072", "ec-p256", "ec-p384");
        return type;
    }

    /// <summary>Generates in the token with a progress line on stderr (RSA 3072 takes seconds in SoftHSM).</summary>
    public static Pkcs11PrivateKey Generate(Pkcs11Token token, string type, string label, byte[] id)
    {
        Console.Error.Write($"Generating {type} key pair in {token} ... ");
        var watch = Stopwatch.StartNew();
        Pkcs11PrivateKey key = type switch
        {
            "rsa2048" => token.GenerateRsaKeyPair(label, id, 2048),
            "rsa3072" => token.GenerateRsaKeyPair(label, id, 3072),
            "ec-p256" => token.GenerateEcKeyPair(label, id, ECCurve.NamedCurves.nistP256),
            "ec-p384" => token.GenerateEcKeyPair(label, id, ECCurve.NamedCurves.nistP384),
            _ => throw OperatorException.Usage($"--type '{type}' is not one of rsa2048, rsa3072, ec-p256, ec-p384."),
        };
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done ({watch.Elapsed.TotalSeconds:0.0} s)"));
        return key;
    }

    public static Command Csr()
    {
        var access = new TokenAccess();
        var id = new Option<string>("--id") { Description = "key id in hex (default 01)", DefaultValueFactory = _ => "01" };
        var subject = new Option<string?>("--subject") { Description = "the subject, e.g. \"CN=agent-1,O=Example\"" };
        var command = new Command("csr", "Print a PEM PKCS#10 certificate signing request signed by the token key.") { id, subject };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            byte[] keyId = HexId.Parse(parse.GetValue(id));
            X500DistinguishedName name = Subject(parse.GetValue(subject));
            string pin = access.ReadPin(parse, new OperatorInput())!;
            using Pkcs11Token token = access.Open(parse, pin);
            Pkcs11PrivateKey key = token.GetPrivateKey(new Pkcs11Uri { Id = keyId });
            Console.Write(CsrPem(key, name));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static X500DistinguishedName Subject(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw OperatorException.Usage("--subject is required, e.g. --subject \"CN=agent-1,O=Example\".");
        }

        try
        {
            return new X500DistinguishedName(text);
        }
        catch (CryptographicException)
        {
            throw OperatorException.Usage($"--subject '{text}' is not a distinguished name; write it like \"CN=agent-1,O=Example,C=US\".");
        }
    }

    /// <summary>PKCS#10 built by CertificateRequest, signed through PKCS#11 (SHA-384 for P-384 keys, else SHA-256).</summary>
    public static string CsrPem(Pkcs11PrivateKey key, X500DistinguishedName subject)
    {
        HashAlgorithmName hash = key.KeyType == Pkcs11KeyType.Ec && key.KeySizeBits == 384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        byte[] der = key.CreateSigningRequest(subject, hash);
        return new string(PemEncoding.Write("CERTIFICATE REQUEST", der)) + "\n";
    }

    public static Command TestSign()
    {
        var access = new TokenAccess();
        var id = new Option<string>("--id") { Description = "key id in hex (default 01)", DefaultValueFactory = _ => "01" };
        var command = new Command("test-sign", "Sign a random challenge with the token key and verify it with the certificate of the same id.") { id };
        access.AddTo(command);
        OperatorAction.Attach(command, parse =>
        {
            byte[] keyId = HexId.Parse(parse.GetValue(id));
            string pin = access.ReadPin(parse, new OperatorInput())!;
            using Pkcs11Token token = access.Open(parse, pin);
            Pkcs11PrivateKey key = token.GetPrivateKey(new Pkcs11Uri { Id = keyId });
            using X509Certificate2 cert = token.GetCertificate(new Pkcs11Uri { Id = keyId, Type = Pkcs11ObjectClass.Certificate });
            string mechanism = Verify(key, cert);
            Console.WriteLine($"OK {mechanism}: key label='{key.Label}' id={HexId.Format(keyId)} signed, certificate '{cert.Subject}' verified");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Signs a fresh 32-byte challenge in the token and verifies it with the certificate; returns the mechanism.</summary>
    public static string Verify(Pkcs11PrivateKey key, X509Certificate2 cert)
    {
        byte[] challenge = RandomNumberGenerator.GetBytes(32);
        bool ok;
        string mechanism;
        if (key.KeyType == Pkcs11KeyType.Rsa)
        {
            using RSA rsa = cert.GetRSAPublicKey() ?? throw Mismatch(key, cert);
            byte[] signature = key.SignData(challenge, Pkcs11SignatureAlgorithm.RsaPkcs1Sha256);
            ok = rsa.VerifyData(challenge, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            mechanism = "CKM_SHA256_RSA_PKCS";
        }
        else
        {
            using ECDsa ec = cert.GetECDsaPublicKey() ?? throw Mismatch(key, cert);
            bool p384 = key.KeySizeBits == 384;
            byte[] signature = key.SignData(challenge, p384 ? Pkcs11SignatureAlgorithm.EcdsaSha384 : Pkcs11SignatureAlgorithm.EcdsaSha256);
            ok = ec.VerifyData(challenge, signature, p384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            mechanism = p384 ? "CKM_ECDSA (SHA-384)" : "CKM_ECDSA (SHA-256)";
        }

        return ok ? mechanism : throw Mismatch(key, cert);
    }

    private static OperatorException Mismatch(Pkcs11PrivateKey key, X509Certificate2 cert) =>
        new($"the signature of the private key label='{key.Label}' id={HexId.Format(key.Id)} does not verify with the certificate '{cert.Subject}' (serial {cert.SerialNumber}): they are not a pair. Fix: import the certificate issued for this key (authservice token rotate-cert), or the key it was issued for.");


    /// <summary>"RSA 2048", "EC 256".</summary>
    public static string KeyName(Pkcs11PrivateKey key) => string.Create(CultureInfo.InvariantCulture, $"{key.KeyType.ToString().ToUpperInvariant()} {key.KeySizeBits}");
}

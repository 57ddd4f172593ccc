using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tokens;

// Signatures per second on a SoftHSM2 token: RSA-2048 (CKM_SHA256_RSA_PKCS) and EC P-256 (SHA-256 here, then
// CKM_ECDSA, DER output), with 1 and 2 threads, each thread leasing its own session from the token's pool.
// Usage: run [seconds-per-case] [module-path]; SOFTHSM2_CONF must point at a config with a writable token dir.
double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 5;
string modulePath = args.Length > 1 ? args[1] : "/usr/lib/softhsm/libsofthsm2.so";

Pkcs11Module module = Pkcs11Module.Open(modulePath);
string label = "bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
string pin = Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
module.InitializeToken(label, "bench-so-" + pin, pin);
using Pkcs11Token token = module.OpenToken(new AuthService.Pkcs11.Uris.Pkcs11Uri { Token = label, PinValue = pin });
Pkcs11PrivateKey rsa = token.GenerateRsaKeyPair("bench-rsa", [0x01], 2048);
Pkcs11PrivateKey ec = token.GenerateEcKeyPair("bench-ec", [0x02], ECCurve.NamedCurves.nistP256);

Console.WriteLine($"module: {module.Path} ({module.GetInfo().Description} {module.GetInfo().LibraryVersion})");
Console.WriteLine($"machine: nproc={Environment.ProcessorCount}, cpu={CpuModel()}, .NET {Environment.Version}");
Console.WriteLine($"duration per case: {seconds.ToString(CultureInfo.InvariantCulture)} s");
Console.WriteLine();
Console.WriteLine("| key | threads | signatures | seconds | signatures/s |");
Console.WriteLine("|---|---|---|---|---|");
foreach ((string name, Pkcs11PrivateKey key, Pkcs11SignatureAlgorithm algorithm) in new[]
{
    ("RSA-2048 (CKM_SHA256_RSA_PKCS)", rsa, Pkcs11SignatureAlgorithm.RsaPkcs1Sha256),
    ("EC P-256 (SHA-256 + CKM_ECDSA)", ec, Pkcs11SignatureAlgorithm.EcdsaSha256),
})
{
    Measure(key, algorithm, 1, 1); // warm-up: opens sessions, JIT
    foreach (int threads in new[] { 1, 2 })
    {
        (long count, double elapsed) = Measure(key, algorithm, threads, seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {threads} | {count} | {elapsed:F1} | {count / elapsed:F0} |"));
    }
}

token.DestroyObjects(new AuthService.Pkcs11.Uris.Pkcs11Uri { Id = [0x01] });
token.DestroyObjects(new AuthService.Pkcs11.Uris.Pkcs11Uri { Id = [0x02] });
return 0;

static (long Count, double Seconds) Measure(Pkcs11PrivateKey key, Pkcs11SignatureAlgorithm algorithm, int threads, double seconds)
{
    long count = 0;
    byte[] data = RandomNumberGenerator.GetBytes(256);
    var stopwatch = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
    {
        long local = 0;
        while (stopwatch.Elapsed.TotalSeconds < seconds)
        {
            key.SignData(data, algorithm);
            local++;
        }

        Interlocked.Add(ref count, local);
    })).ToList();
    workers.ForEach(w => w.Start());
    workers.ForEach(w => w.Join());
    return (count, stopwatch.Elapsed.TotalSeconds);
}

static string CpuModel()
{
    try
    {
        string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? "unknown" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
    catch (IOException)
    {
        return "unknown";
    }
}

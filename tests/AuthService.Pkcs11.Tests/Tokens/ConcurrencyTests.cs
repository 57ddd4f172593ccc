using System.Collections.Concurrent;
using System.Security.Cryptography;
using AuthService.Pkcs11.Keys;
using AuthService.Pkcs11.Tests.Support;

namespace AuthService.Pkcs11.Tests.Tokens;

/// <summary>
/// 16 threads x 500 signatures on one token. Without CKF_OS_LOCKING_OK, or with threads sharing a session,
/// SoftHSM 2.6.1 crashes the process (fact sheet §3.1); here every signature must verify.
/// </summary>
public class ConcurrencyTests
{
    private const int Threads = 16;
    private const int SignaturesPerThread = 500;

    [SoftHsmTheory]
    [InlineData("direct", "p256")]
    [InlineData("direct", "rsa2048")]
    [InlineData("proxy", "p256")]
    public void SignData_SixteenThreadsFiveHundredEach_EverySignatureVerifies(string module, string algorithm)
    {
        // Arrange
        var (token, _, _) = SoftHsm.NewToken("conc", TestModules.Get(module));
        using (token)
        using (AsymmetricAlgorithm software = TestKeys.Create(algorithm))
        {
            Pkcs11PrivateKey key = token.ImportPrivateKey(TestKeys.Export(software, "pkcs8"), "conc", [0x01]);
            Pkcs11SignatureAlgorithm signatureAlgorithm = software is RSA ? Pkcs11SignatureAlgorithm.RsaPkcs1Sha256 : Pkcs11SignatureAlgorithm.EcdsaSha256;
            var results = new ConcurrentBag<(byte[] Data, byte[] Signature)>();
            var errors = new ConcurrentBag<Exception>();

            // Act
            var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
            {
                try
                {
                    for (int i = 0; i < SignaturesPerThread; i++)
                    {
                        byte[] data = BitConverter.GetBytes((t * 100_000) + i);
                        results.Add((data, key.SignData(data, signatureAlgorithm)));
                    }
                }
                catch (Exception e)
                {
                    errors.Add(e);
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            // Assert
            Assert.Empty(errors);
            Assert.Equal(Threads * SignaturesPerThread, results.Count);
            int invalid = results.Count(r => software switch
            {
                RSA rsa => !rsa.VerifyData(r.Data, r.Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                ECDsa ec => !ec.VerifyData(r.Data, r.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
                _ => true,
            });
            Assert.Equal(0, invalid);
            Assert.InRange(token.OpenSessions, 1, Threads);
        }
    }
}

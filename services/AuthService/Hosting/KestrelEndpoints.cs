using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AuthService.Hosting;

/// <summary>Kestrel listeners for the configured endpoints, all HTTP/2 only (gRPC needs nothing else).</summary>
public static class KestrelEndpoints
{
    public static IWebHostBuilder UseAuthServiceEndpoints(this IWebHostBuilder webHost, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return webHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Out-of-range values are left at Kestrel's defaults here (its setters throw); ServerOptions.Validate
            // reports them with every other problem and the start is refused.
            if (options.Limits.MaxConnections > 0)
            {
                kestrel.Limits.MaxConcurrentConnections = options.Limits.MaxConnections;
            }

            if (options.Limits.MaxStreamsPerConnection > 0)
            {
                kestrel.Limits.Http2.MaxStreamsPerConnection = options.Limits.MaxStreamsPerConnection;
            }
            if (EndpointParser.TryParse(options.Tcp, out var tcp))
            {
                kestrel.Listen(tcp, listen => listen.Protocols = HttpProtocols.Http2);
            }

            if (!string.IsNullOrWhiteSpace(options.UnixSocket))
            {
                // A socket file left by a previous run would make bind fail; it is ours to replace.
                if (File.Exists(options.UnixSocket))
                {
                    File.Delete(options.UnixSocket);
                }

                kestrel.ListenUnixSocket(options.UnixSocket, listen => listen.Protocols = HttpProtocols.Http2);
            }

            if (EndpointParser.TryParse(options.Tls.Endpoint, out var tls))
            {
                kestrel.Listen(tls, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(https =>
                    {
                        https.ServerCertificate = X509Certificate2.CreateFromPemFile(options.Tls.CertificatePath!, options.Tls.KeyPath);
                        https.ClientCertificateMode = options.Tls.ClientCertificateMode;
                        if (options.Tls.ClientCertificateMode != ClientCertificateMode.NoCertificate)
                        {
                            // CreateFromPemFile with one path would look for a private key in the CA file; only the certificate is wanted.
                            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(options.Tls.ClientCaPath!));
                            https.ClientCertificateValidation = (certificate, _, _) => ChainsTo(certificate, authority);
                        }
                    });
                });
            }
        });
    }

    /// <summary>
    /// Sets the Unix socket's mode once Kestrel has bound it (bind creates it with the umask's mode, which for a
    /// socket is at most as open as the umask allows, so there is no window where it is wider than configured).
    /// </summary>
    public static void ApplyUnixSocketMode(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!string.IsNullOrWhiteSpace(options.UnixSocket) && !OperatingSystem.IsWindows() && ServerOptions.TryParseMode(options.UnixSocketMode, out var mode))
        {
            File.SetUnixFileMode(options.UnixSocket, mode);
        }
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

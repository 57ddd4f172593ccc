using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace AuthService.Hosting;

/// <summary>Where the gRPC server listens (configuration section "Server"; environment AUTHSERVICE_Server__*).</summary>
public sealed class ServerOptions
{
    public const string Section = "Server";

    /// <summary>h2c (cleartext HTTP/2) endpoint, "host:port". Default "127.0.0.1:50051"; empty disables it.</summary>
    public string? Tcp { get; set; } = "127.0.0.1:50051";

    /// <summary>Unix domain socket path; empty (default) disables it. The socket file is replaced at start.</summary>
    public string? UnixSocket { get; set; }

    /// <summary>HTTP/2 over TLS (ALPN "h2"); disabled unless <see cref="TlsOptions.Endpoint"/> is set.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>Let unexpected exception messages reach callers (default false: they go to the log only).</summary>
    public bool DetailedErrors { get; set; }

    /// <summary>Every problem with these options, each saying how to fix it; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Tcp) && string.IsNullOrWhiteSpace(UnixSocket) && string.IsNullOrWhiteSpace(Tls.Endpoint))
        {
            errors.Add("Server: no endpoint is enabled. Set Server:Tcp (host:port), Server:UnixSocket (a path) or Server:Tls:Endpoint.");
        }

        if (!string.IsNullOrWhiteSpace(Tcp) && !EndpointParser.TryParse(Tcp, out _))
        {
            errors.Add($"Server:Tcp '{Tcp}' is not host:port with a port from 0 to 65535 (e.g. 127.0.0.1:50051 or 0.0.0.0:50051).");
        }

        if (!string.IsNullOrWhiteSpace(Tls.Endpoint))
        {
            if (!EndpointParser.TryParse(Tls.Endpoint, out _))
            {
                errors.Add($"Server:Tls:Endpoint '{Tls.Endpoint}' is not host:port (e.g. 0.0.0.0:50443).");
            }

            if (string.IsNullOrWhiteSpace(Tls.CertificatePath) || string.IsNullOrWhiteSpace(Tls.KeyPath))
            {
                errors.Add("Server:Tls: CertificatePath and KeyPath (PEM files) are both required when Server:Tls:Endpoint is set.");
            }

            if (Tls.ClientCertificateMode != ClientCertificateMode.NoCertificate && string.IsNullOrWhiteSpace(Tls.ClientCaPath))
            {
                errors.Add("Server:Tls:ClientCaPath (a PEM CA certificate) is required when client certificates are allowed or required.");
            }

            foreach (var (name, path) in new[] { ("CertificatePath", Tls.CertificatePath), ("KeyPath", Tls.KeyPath), ("ClientCaPath", Tls.ClientCaPath) })
            {
                if (!string.IsNullOrWhiteSpace(path) && !File.Exists(path))
                {
                    errors.Add($"Server:Tls:{name} '{path}' does not exist or cannot be read; check the path and the bind mount.");
                }
            }
        }

        return errors;
    }
}

/// <summary>The TLS endpoint.</summary>
public sealed class TlsOptions
{
    /// <summary>"host:port"; empty (default) disables TLS.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Server certificate, PEM.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Server private key, PEM (PKCS#8, PKCS#1 or SEC1).</summary>
    public string? KeyPath { get; set; }

    /// <summary>NoCertificate (default), AllowCertificate or RequireCertificate.</summary>
    public ClientCertificateMode ClientCertificateMode { get; set; } = ClientCertificateMode.NoCertificate;

    /// <summary>The CA that client certificates must chain to, PEM.</summary>
    public string? ClientCaPath { get; set; }
}

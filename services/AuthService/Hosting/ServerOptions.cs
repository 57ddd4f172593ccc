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

    /// <summary>
    /// Octal file mode of the socket, set once it is bound: who may connect at all (connecting needs write
    /// permission). Default "660": the service's user and group. Callers are then identified by SO_PEERCRED.
    /// </summary>
    public string UnixSocketMode { get; set; } = "660";

    /// <summary>Connection, stream, message and rate limits.</summary>
    public LimitsOptions Limits { get; set; } = new();

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

        if (!TryParseMode(UnixSocketMode, out _))
        {
            errors.Add($"Server:UnixSocketMode '{UnixSocketMode}' is not an octal file mode such as 660 or 600.");
        }

        errors.AddRange(Limits.Validate());

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

    /// <summary>Parses an octal mode such as "660" or "0660".</summary>
    public static bool TryParseMode(string? text, out UnixFileMode mode)
    {
        mode = 0;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 4 || text.Any(c => c is < '0' or > '7'))
        {
            return false;
        }

        mode = (UnixFileMode)Convert.ToInt32(text, 8);
        return true;
    }
}

/// <summary>Limits that keep one caller or one bad client from taking the service down (section Server:Limits).</summary>
public sealed class LimitsOptions
{
    /// <summary>Open connections across all endpoints. Default 1024.</summary>
    public long MaxConnections { get; set; } = 1024;

    /// <summary>Concurrent HTTP/2 streams (calls) per connection. Default 100.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Largest request message in bytes; requests are small, so larger ones are refused. Default 65536.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Calls per second per caller identity (token bucket); 0 (default) turns the limit off.</summary>
    public int CallerRequestsPerSecond { get; set; }

    /// <summary>Bucket size: calls a caller may make at once; 0 (default) means twice the rate.</summary>
    public int CallerBurst { get; set; }

    public IEnumerable<string> Validate()
    {
        if (MaxConnections < 1)
        {
            yield return "Server:Limits:MaxConnections must be at least 1.";
        }

        if (MaxStreamsPerConnection is < 1 or > 10000)
        {
            yield return "Server:Limits:MaxStreamsPerConnection must be from 1 to 10000.";
        }

        if (MaxRequestBytes is < 1024 or > 4 * 1024 * 1024)
        {
            yield return "Server:Limits:MaxRequestBytes must be from 1024 to 4194304.";
        }

        if (CallerRequestsPerSecond < 0 || CallerBurst < 0)
        {
            yield return "Server:Limits:CallerRequestsPerSecond and CallerBurst must be 0 (off / default) or more.";
        }
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

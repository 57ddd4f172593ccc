using System.Security.Cryptography.X509Certificates;

namespace AuthService.Grpc.Client;

/// <summary>How a <see cref="GrpcClient"/> connects and what it accepts.</summary>
public sealed class GrpcClientOptions
{
    /// <summary>Largest response message accepted, in bytes. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest request message sent, in bytes. Default 4 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>For https targets: a client certificate (with its private key) for mutual TLS.</summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>For https targets: trust the server only if its chain ends at this CA (instead of the system store).</summary>
    public X509Certificate2? TrustedCertificateAuthority { get; set; }
}

/// <summary>Per-call settings.</summary>
public sealed record CallOptions
{
    /// <summary>Sent as grpc-timeout; the call fails with DEADLINE_EXCEEDED when it passes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Compress request messages with gzip (and accept gzip responses).</summary>
    public bool Gzip { get; init; }

    /// <summary>Extra request metadata (e.g. authorization).</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }

    public CancellationToken CancellationToken { get; init; }
}

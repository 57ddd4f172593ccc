namespace AuthService.Grpc.Server;

/// <summary>Limits and behaviour of the gRPC server.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted, in bytes (after decompression). Default 4 MiB. Larger: RESOURCE_EXHAUSTED.</summary>
    public int MaxReceiveMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Largest response message sent, in bytes (before compression). Default 4 MiB. Larger: RESOURCE_EXHAUSTED.</summary>
    public int MaxSendMessageSize { get; set; } = GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>
    /// Whether an unexpected exception's message reaches the caller. Default false: callers see a fixed
    /// "Internal error" text, and the details go to the server log only.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }
}

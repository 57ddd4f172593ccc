namespace AuthService.Grpc;

/// <summary>
/// A call ended with a non-OK gRPC status. Handlers throw it to choose the status a caller sees; the client
/// throws it when a call ends with one. The message travels on the wire as grpc-message, so it must never
/// contain a secret.
/// </summary>
public sealed class GrpcException : Exception
{
    public GrpcException(StatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    public GrpcException(StatusCode statusCode, string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = statusCode;
    }

    public GrpcException()
        : this(StatusCode.Unknown, "Unknown error.")
    {
    }

    public GrpcException(string message)
        : this(StatusCode.Unknown, message)
    {
    }

    public GrpcException(string message, Exception innerException)
        : this(StatusCode.Unknown, message, innerException)
    {
    }

    public StatusCode StatusCode { get; }

    /// <summary>Trailers other than grpc-status and grpc-message sent with the status (server side), or received (client side).</summary>
    public IReadOnlyDictionary<string, string> Trailers { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{nameof(GrpcException)}: {StatusCode} ({(int)StatusCode}): {Message}";
}

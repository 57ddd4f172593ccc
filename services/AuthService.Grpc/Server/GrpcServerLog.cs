using Microsoft.Extensions.Logging;

namespace AuthService.Grpc.Server;

/// <summary>Server log events, IDs 1000-1099. Never log message contents: they may hold secret values.</summary>
internal static partial class GrpcServerLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Debug, Message = "gRPC call {Method} ended with {StatusCode}")]
    public static partial void CallEnded(ILogger logger, string method, StatusCode statusCode);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "gRPC call {Method} failed with an unexpected exception; the caller sees INTERNAL")]
    public static partial void UnexpectedError(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "gRPC call {Method} was cancelled by the caller")]
    public static partial void CallCancelled(ILogger logger, string method);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "gRPC call {Method} exceeded its deadline of {Timeout}")]
    public static partial void DeadlineExceeded(ILogger logger, string method, TimeSpan timeout);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Rejected a non-gRPC request: {Reason}")]
    public static partial void RejectedRequest(ILogger logger, string reason);
}

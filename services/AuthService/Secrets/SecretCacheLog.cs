namespace AuthService.Secrets;

/// <summary>Secret cache events, IDs 3000-3099. ARNs only: never a value.</summary>
internal static partial class SecretCacheLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Warning, Message = "Serving the cached value of {SecretArn} (age {Age}) because Secrets Manager failed: {FailureKind}")]
    public static partial void ServingStale(ILogger logger, string secretArn, SecretFailureKind failureKind, TimeSpan age);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Background refresh of {SecretArn} failed: {FailureKind}; the cached value is kept until it may no longer be served")]
    public static partial void RefreshFailed(ILogger logger, string secretArn, SecretFailureKind failureKind);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Serving the cached value of {SecretArn} (age {Age}) because Secrets Manager did not answer before the caller's deadline; the refresh goes on")]
    public static partial void ServingStaleWhileSlow(ILogger logger, string secretArn, TimeSpan age);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "{SecretArn} is unchanged (DescribeSecret); TTL renewed without reading the value")]
    public static partial void VersionUnchanged(ILogger logger, string secretArn);
}

namespace AwsEmulator.Hosting;

/// <summary>
/// Every log line of the emulator. Event ids: 1xx hosting, 2xx signatures, 3xx Secrets Manager, 4xx Roles Anywhere,
/// 5xx STS and IMDS, 6xx faults and admin. Fields carry ids, ARNs and codes, never secret values, secret keys or tokens.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Seed loaded: {Secrets} secrets, {Roles} roles, {Users} users, {TrustAnchors} trust anchors, {Profiles} profiles, region {Region}")]
    public static partial void SeedLoaded(ILogger logger, int secrets, int roles, int users, int trustAnchors, int profiles, string region);

    [LoggerMessage(101, LogLevel.Information, "AWS emulator listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(102, LogLevel.Information, "Test CA certificate for HTTPS written to {Path}")]
    public static partial void CaWritten(ILogger logger, string path);

    [LoggerMessage(103, LogLevel.Information, "Demo seed written to {Path}")]
    public static partial void DemoSeedWritten(ILogger logger, string path);

    [LoggerMessage(200, LogLevel.Information, "{Operation} refused: {Code}: {Reason}")]
    public static partial void Refused(ILogger logger, string operation, string code, string reason);

    [LoggerMessage(300, LogLevel.Debug, "{Operation} by {Principal} succeeded")]
    public static partial void Served(ILogger logger, string operation, string principal);

    [LoggerMessage(400, LogLevel.Information, "CreateSession issued credentials for {RoleArn} to certificate serial {Serial}, expiring {Expiration}")]
    public static partial void SessionIssued(ILogger logger, string roleArn, string serial, DateTimeOffset expiration);

    [LoggerMessage(500, LogLevel.Information, "{Operation} issued credentials for {Principal}, expiring {Expiration}")]
    public static partial void CredentialsIssued(ILogger logger, string operation, string principal, DateTimeOffset expiration);

    [LoggerMessage(600, LogLevel.Information, "Fault {Fault} injected into {Operation}")]
    public static partial void FaultInjected(ILogger logger, string fault, string operation);

    [LoggerMessage(601, LogLevel.Information, "Fault rules replaced through the admin endpoint: {Count} rules")]
    public static partial void FaultsReplaced(ILogger logger, int count);
}

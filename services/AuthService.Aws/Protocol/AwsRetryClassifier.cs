using System.Net;

namespace AuthService.Aws.Protocol;

/// <summary>Which errors the AWS "standard" retry mode retries (the lists botocore and the SDKs share).</summary>
public static class AwsRetryClassifier
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "InternalServiceError", "InternalFailure",
        "InternalError", "ServiceUnavailable", "IDPCommunicationError",
    };

    /// <summary>Whether <paramref name="code"/> is a throttling error.</summary>
    public static bool IsThrottling(string code) => ThrottlingCodes.Contains(code);

    /// <summary>Whether the error is retryable: throttling, a transient code, or HTTP 500/502/503/504 (and 429).</summary>
    public static bool IsRetryable(AwsServiceException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return IsThrottling(error.ErrorCode)
            || TransientCodes.Contains(error.ErrorCode)
            || error.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests;
    }
}

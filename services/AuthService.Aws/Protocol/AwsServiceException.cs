using System.Net;

namespace AuthService.Aws.Protocol;

/// <summary>
/// An AWS service answered with an error. <see cref="ErrorCode"/> is the sanitised error name
/// (e.g. <c>ResourceNotFoundException</c>); the message adds what to do about it.
/// </summary>
public class AwsServiceException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsServiceException()
        : this("aws", "Unknown", null, 0, null, null)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AwsServiceException(string message)
        : base(message)
    {
        Service = "aws";
        ErrorCode = "Unknown";
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public AwsServiceException(string message, Exception innerException)
        : base(message, innerException)
    {
        Service = "aws";
        ErrorCode = "Unknown";
    }

    /// <summary>Creates the exception from a parsed error response.</summary>
    public AwsServiceException(string service, string errorCode, string? awsMessage, HttpStatusCode statusCode, string? requestId, string? hint)
        : base(Describe(service, errorCode, awsMessage, statusCode, requestId, hint))
    {
        Service = service;
        ErrorCode = errorCode;
        AwsMessage = awsMessage;
        StatusCode = statusCode;
        RequestId = requestId;
    }

    /// <summary>The service that answered, e.g. <c>secretsmanager</c>.</summary>
    public string Service { get; }

    /// <summary>The sanitised error code; the HTTP status number when the response named none.</summary>
    public string ErrorCode { get; }

    /// <summary>The message AWS sent, if any.</summary>
    public string? AwsMessage { get; }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The request id (x-amzn-RequestId), for AWS support.</summary>
    public string? RequestId { get; }

    /// <summary>Whether the standard retry mode retries this error (throttling, 5xx, transient codes).</summary>
    public bool IsRetryable => AwsRetryClassifier.IsRetryable(this);

    /// <summary>Whether this is a throttling error.</summary>
    public bool IsThrottling => AwsRetryClassifier.IsThrottling(ErrorCode);

    private static string Describe(string service, string errorCode, string? awsMessage, HttpStatusCode statusCode, string? requestId, string? hint)
    {
        var text = $"{service} returned {errorCode} (HTTP {(int)statusCode})";
        if (!string.IsNullOrWhiteSpace(awsMessage))
        {
            text += ": " + awsMessage.TrimEnd('.') + ".";
        }
        else
        {
            text += ".";
        }

        if (!string.IsNullOrEmpty(hint))
        {
            text += " " + hint;
        }

        if (!string.IsNullOrEmpty(requestId))
        {
            text += $" (request id {requestId})";
        }

        return text;
    }
}

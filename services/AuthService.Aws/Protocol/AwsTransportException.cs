namespace AuthService.Aws.Protocol;

/// <summary>No answer from an AWS endpoint: network failure or timeout, after the retries allowed.</summary>
public sealed class AwsTransportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsTransportException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AwsTransportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last failure.</summary>
    public AwsTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the call ran out of time (per attempt or in total) rather than failing to connect.</summary>
    public bool IsTimeout { get; init; }
}

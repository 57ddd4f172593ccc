namespace AuthService.Aws.Credentials;

/// <summary>Credentials could not be obtained from a profile's source. The message says what to fix; it never holds a secret.</summary>
public sealed class CredentialProcessException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CredentialProcessException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CredentialProcessException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and cause.</summary>
    public CredentialProcessException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace AuthService.Aws.Signing.X509;

/// <summary>A certificate or key file could not be used. The message names the file and the fix, never key material.</summary>
public sealed class X509KeyFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public X509KeyFileException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public X509KeyFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public X509KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

namespace AuthService.Pkcs11.Uris;

/// <summary>A PKCS#11 URI (RFC 7512) that does not parse. The message names the offending attribute, never a PIN.</summary>
public sealed class Pkcs11UriFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="attribute">The attribute name at fault, or null for the scheme or overall structure.</param>
    /// <param name="message">What is wrong and how to write it instead.</param>
    public Pkcs11UriFormatException(string? attribute, string message)
        : base(attribute is null ? $"Invalid PKCS#11 URI: {message}" : $"Invalid PKCS#11 URI attribute '{attribute}': {message}")
    {
        Attribute = attribute;
    }

    /// <summary>Creates the exception without an attribute.</summary>
    public Pkcs11UriFormatException()
        : this(null, "malformed")
    {
    }

    /// <summary>Creates the exception without an attribute.</summary>
    public Pkcs11UriFormatException(string message)
        : this(null, message)
    {
    }

    /// <summary>Creates the exception without an attribute.</summary>
    public Pkcs11UriFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The attribute name at fault (e.g. "id", "slot-id"), or null.</summary>
    public string? Attribute { get; }
}

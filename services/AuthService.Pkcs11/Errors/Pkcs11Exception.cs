using System.Globalization;

namespace AuthService.Pkcs11.Errors;

/// <summary>
/// The one exception of the PKCS#11 layer. It names the PKCS#11 function that failed, the CKR code (when the
/// failure came from the module) and what to do about it. It never carries a PIN or key material: messages
/// are built only from function names, CKR names, labels and IDs.
/// </summary>
public sealed class Pkcs11Exception : Exception
{
    /// <summary>Creates an exception for a failed PKCS#11 call.</summary>
    /// <param name="function">The PKCS#11 function, e.g. C_Login.</param>
    /// <param name="returnValue">The CK_RV the module returned.</param>
    /// <param name="context">Optional non-secret context (token label, object URI without PIN).</param>
    public Pkcs11Exception(string function, ulong returnValue, string? context = null)
        : base(Format(function, CkrNames.Of(returnValue), context, Pkcs11Remedies.For(returnValue)))
    {
        Function = function;
        ReturnValue = returnValue;
        CkrName = CkrNames.Of(returnValue);
        Remedy = Pkcs11Remedies.For(returnValue);
    }

    /// <summary>Creates an exception for a failure detected by this layer rather than returned by the module.</summary>
    /// <param name="function">The operation or PKCS#11 function involved.</param>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">A non-secret description.</param>
    /// <param name="remedy">What the operator should do.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public Pkcs11Exception(string function, Pkcs11ErrorKind kind, string message, string? remedy, Exception? inner = null)
        : base(Format(function, null, message, remedy), inner)
    {
        Function = function;
        Kind = kind;
        Remedy = remedy;
    }

    /// <summary>Creates an exception with a plain message (for serializers and analyzers).</summary>
    public Pkcs11Exception()
        : this("unknown", Pkcs11ErrorKind.Other, "PKCS#11 failure", null)
    {
    }

    /// <summary>Creates an exception with a plain message.</summary>
    public Pkcs11Exception(string message)
        : this("unknown", Pkcs11ErrorKind.Other, message, null)
    {
    }

    /// <summary>Creates an exception with a plain message and a cause.</summary>
    public Pkcs11Exception(string message, Exception innerException)
        : this("unknown", Pkcs11ErrorKind.Other, message, null, innerException)
    {
    }

    /// <summary>The PKCS#11 function (C_Login, C_Sign, ...) or the layer operation that failed.</summary>
    public string Function { get; }

    /// <summary>The CK_RV returned by the module, or null when the failure was detected by this layer.</summary>
    public ulong? ReturnValue { get; }

    /// <summary>The CKR_* name of <see cref="ReturnValue"/>, e.g. CKR_PIN_INCORRECT.</summary>
    public string? CkrName { get; }

    /// <summary>The kind of failure, for callers that map errors (e.g. to gRPC status codes).</summary>
    public Pkcs11ErrorKind Kind { get; } = Pkcs11ErrorKind.Module;

    /// <summary>What to do about it, when known.</summary>
    public string? Remedy { get; }

    private static string Format(string function, string? ckrName, string? context, string? remedy)
    {
        string text = ckrName is null
            ? string.Create(CultureInfo.InvariantCulture, $"{function}: {context}")
            : context is null
                ? string.Create(CultureInfo.InvariantCulture, $"{function} failed: {ckrName}")
                : string.Create(CultureInfo.InvariantCulture, $"{function} failed: {ckrName} ({context})");
        return remedy is null ? text : text + ". Fix: " + remedy;
    }
}

/// <summary>Classifies <see cref="Pkcs11Exception"/>s.</summary>
public enum Pkcs11ErrorKind
{
    /// <summary>The module returned a CKR error code; see <see cref="Pkcs11Exception.CkrName"/>.</summary>
    Module,

    /// <summary>The module file could not be loaded or has no C_GetFunctionList.</summary>
    ModuleNotLoadable,

    /// <summary>No token matches the URI (label, serial, ...).</summary>
    TokenNotFound,

    /// <summary>No object (certificate, key) matches the URI.</summary>
    ObjectNotFound,

    /// <summary>More than one object matches where one was expected.</summary>
    AmbiguousObject,

    /// <summary>The private key does not belong to the certificate.</summary>
    KeyCertificateMismatch,

    /// <summary>The key, certificate or PIN input could not be read.</summary>
    InvalidInput,

    /// <summary>Anything else.</summary>
    Other,
}

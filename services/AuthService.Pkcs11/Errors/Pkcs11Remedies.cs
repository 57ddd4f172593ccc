namespace AuthService.Pkcs11.Errors;

/// <summary>
/// Operator-facing fixes for the common failures. The wording follows the troubleshooting section of the
/// SoftHSM setup procedure this service supports (CKR_TOKEN_NOT_PRESENT, CKR_PIN_INCORRECT, token not found,
/// certificate not found), so an operator reading the error finds the same steps as in that procedure.
/// </summary>
public static class Pkcs11Remedies
{
    /// <summary>CKR_TOKEN_NOT_PRESENT: SoftHSM cannot find the token database.</summary>
    public const string TokenNotPresent =
        "SoftHSM cannot find the token database: the token directory does not exist or was not created, or the " +
        "softhsm2.conf file (SOFTHSM2_CONF) points to a wrong path. Verify the token exists with " +
        "'softhsm2-util --show-slots'; if no token is listed, reinitialize the token (Step 1)";

    /// <summary>CKR_PIN_INCORRECT: the user PIN does not match.</summary>
    public const string PinIncorrect =
        "the User PIN in the credentials file does not match the PIN set during token initialization. Verify the " +
        "pin-value in the PKCS#11 URIs in the credentials file matches the User PIN you set when initializing the token";

    /// <summary>CKR_PIN_LOCKED.</summary>
    public const string PinLocked =
        "the User PIN is locked after too many wrong attempts. Unlock it with the SO PIN (e.g. 'softhsm2-util' / " +
        "'pkcs11-tool --init-pin --login --login-type so') or reinitialize the token, then update the credentials file";

    /// <summary>Token label not found.</summary>
    /// <summary>Stands for the list of tokens when the module shows none: a token directory it cannot read looks the same.</summary>
    public const string NoTokenReadable =
        "none (if the token was provisioned, check that the service user can read and write the files of the token directory, directories.tokendir in softhsm2.conf)";

    public const string TokenNotFound =
        "the token label in the PKCS#11 URI does not match the label used during initialization, or the token was not " +
        "initialized. List the available tokens with 'softhsm2-util --show-slots' and verify the token label matches " +
        "what is in the credentials file (token=...)";

    /// <summary>Certificate not found.</summary>
    public const string CertificateNotFound =
        "the certificate was not imported, or the object label or ID does not match the PKCS#11 URI. List objects " +
        "with 'pkcs11-tool --module <module> --login --list-objects' and verify the certificate object exists with " +
        "the label and ID of the URI; if missing, re-import the certificate (Step 1)";

    /// <summary>Private key not found.</summary>
    public const string KeyNotFound =
        "the private key was not imported, or the object label or ID does not match the PKCS#11 URI. List objects " +
        "with 'pkcs11-tool --module <module> --login --list-objects'; the key and the certificate must share the same " +
        "--id; if missing, re-import the key (softhsm2-util --import ... --id)";

    /// <summary>Key and certificate do not belong together.</summary>
    public const string KeyCertificateMismatch =
        "the private key does not belong to the certificate. Import the certificate issued for this key, or the key " +
        "the certificate was issued for, with the same --id for both";

    /// <summary>The module file cannot be loaded.</summary>
    public const string ModuleNotLoadable =
        "check the module path (--pkcs11-lib / module-path), that the file exists and is readable, and that it is a " +
        "PKCS#11 module for this platform (SoftHSM2: /usr/lib/softhsm/libsofthsm2.so)";

    /// <summary>Returns the remedy for a CK_RV, or null when there is no specific advice.</summary>
    public static string? For(ulong returnValue) => returnValue switch
    {
        0xE0 or 0x32 => TokenNotPresent,
        0xA0 => PinIncorrect,
        0xA4 => PinLocked,
        0x101 => "log in with the User PIN first (pin-value or pin-source in the URI)",
        0x102 => "the token has no User PIN yet: initialize it (softhsm2-util --init-token ... --pin)",
        0x5 => "SoftHSM returns this when it cannot load its configuration or token directory: check " +
            "SOFTHSM2_CONF (set before the process starts) and directories.tokendir; see the module's stderr",
        0x90 => "an earlier operation on this session was not finished; the session is discarded",
        0x68 or 0x63 => "the key cannot be used with this mechanism: check the key type (RSA/EC) and CKA_SIGN",
        _ => null,
    };
}

namespace AuthService.Pkcs11.Errors;

/// <summary>
/// SoftHSM's C_Initialize says only CKR_GENERAL_ERROR when its configuration file or token directory is missing
/// (it prints the reason to stderr, which a service's caller never sees). This looks at the same files SoftHSM
/// does, so the error can name the path and the fix: the reference procedure's CKR_TOKEN_NOT_PRESENT case.
/// </summary>
public static class SoftHsmConfigurationCheck
{
    /// <summary>SoftHSM2's default configuration path when SOFTHSM2_CONF is unset (Debian's build).</summary>
    public const string DefaultConfigurationFile = "/etc/softhsm/softhsm2.conf";

    /// <summary>
    /// The reason C_Initialize of a SoftHSM module failed with CKR_GENERAL_ERROR, or null when the module is not
    /// SoftHSM or its configuration and token directory look fine (then the generic remedy stands).
    /// </summary>
    public static string? Explain(string modulePath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(modulePath);
        ArgumentNullException.ThrowIfNull(environment);
        if (!IsSoftHsm(modulePath))
        {
            return null;
        }

        var configuration = ConfigurationFile(environment);
        if (!File.Exists(configuration))
        {
            return $"the SoftHSM configuration file {configuration} does not exist. Fix: create it with the line " +
                "'directories.tokendir = /opt/alation/site/config/authserver/softhsm/tokens' (or point SOFTHSM2_CONF at it), then restart";
        }

        string? tokenDirectory;
        try
        {
            tokenDirectory = TokenDirectory(configuration);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return $"the SoftHSM configuration file {configuration} cannot be read ({exception.GetType().Name}). Fix: make it readable by the service's user";
        }

        if (tokenDirectory is null)
        {
            return $"{configuration} has no 'directories.tokendir = ...' line. Fix: add one naming the token directory on the persistent mount";
        }

        if (!Directory.Exists(tokenDirectory))
        {
            return $"SoftHSM cannot find the token database: the token directory {tokenDirectory} (directories.tokendir in {configuration}) " +
                $"does not exist. Fix: check the mount; create it (mkdir -p {tokenDirectory} && chmod 700 {tokenDirectory}), " +
                "then verify with 'softhsm2-util --show-slots'; if no token is listed, reinitialize the token (Step 1)";
        }

        try
        {
            _ = Directory.EnumerateFileSystemEntries(tokenDirectory).FirstOrDefault();
        }
        catch (UnauthorizedAccessException)
        {
            return $"the token directory {tokenDirectory} (directories.tokendir in {configuration}) is not readable by this process. " +
                "Fix: give the service's user ownership of it (chown -R) and mode 700, then verify with 'softhsm2-util --show-slots'";
        }

        return null;
    }

    /// <summary>Whether <paramref name="modulePath"/> names SoftHSM (its library file name says so on every distribution).</summary>
    public static bool IsSoftHsm(string modulePath) =>
        Path.GetFileName(modulePath ?? throw new ArgumentNullException(nameof(modulePath))).Contains("softhsm", StringComparison.OrdinalIgnoreCase);

    /// <summary>The configuration file SoftHSM reads: SOFTHSM2_CONF, else its built-in default.</summary>
    public static string ConfigurationFile(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment("SOFTHSM2_CONF") is { Length: > 0 } set ? set : DefaultConfigurationFile;
    }

    /// <summary>The last 'directories.tokendir = ...' of a SoftHSM configuration file (SoftHSM takes the last), or null.</summary>
    public static string? TokenDirectory(string configurationFile) =>
        File.ReadLines(configurationFile)
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("directories.tokendir", StringComparison.Ordinal) && line.Contains('=', StringComparison.Ordinal))
            .Select(line => line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim())
            .LastOrDefault();
}

using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Uris;

namespace AuthService.Pkcs11.Modules;

/// <summary>
/// Resolves the module file a URI names (RFC 7512 §2.3 <c>module-path</c> and <c>module-name</c>): a module-path that is
/// a file is used as is; a module-path that is a directory, or the standard module directories, are searched for
/// <c>module-name</c>, compared case-insensitively and matched as the name followed by the end or a '.' (so
/// <c>softhsm2</c> finds <c>libsofthsm2.so</c> but not <c>libsofthsm2x.so</c>), as go-pkcs11uri does.
/// </summary>
public static class ModuleLocator
{
    /// <summary>Where modules are searched when the URI has module-name without module-path.</summary>
    public static IReadOnlyList<string> DefaultDirectories { get; } =
    [
        "/usr/lib/x86_64-linux-gnu/pkcs11",
        "/usr/lib/x86_64-linux-gnu/softhsm",
        "/usr/lib/softhsm",
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/pkcs11",
        "/usr/lib",
    ];

    /// <summary>Returns the module file for the URI, or null when the URI names no module.</summary>
    /// <exception cref="Pkcs11Exception">The URI names a module that cannot be found (the message lists where it looked).</exception>
    public static string? Resolve(Pkcs11Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        if (uri.ModulePath is { } path && File.Exists(path))
        {
            return path;
        }

        if (uri.ModuleName is null)
        {
            if (uri.ModulePath is not null)
            {
                throw NotFound($"module-path '{uri.ModulePath}' is neither a file nor, with module-name, a directory to search");
            }

            return null;
        }

        IReadOnlyList<string> directories = uri.ModulePath is { } dir ? [dir] : DefaultDirectories;
        foreach (string directory in directories.Where(Directory.Exists))
        {
            string? match = Directory.EnumerateFiles(directory)
                .Where(f => Matches(Path.GetFileName(f), uri.ModuleName))
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
            if (match is not null)
            {
                return match;
            }
        }

        return NotFoundResult(uri.ModuleName, directories);
    }

    private static string NotFoundResult(string name, IReadOnlyList<string> directories) =>
        throw NotFound($"no module named '{name}' in {string.Join(", ", directories)}");

    private static bool Matches(string fileName, string moduleName)
    {
        // "lib" prefix optional; the name must be followed by the end or a '.' (libsofthsm2.so, softhsm2.so.1).
        foreach (string candidate in new[] { fileName, fileName.StartsWith("lib", StringComparison.Ordinal) ? fileName[3..] : fileName })
        {
            if (candidate.StartsWith(moduleName, StringComparison.OrdinalIgnoreCase)
                && (candidate.Length == moduleName.Length || candidate[moduleName.Length] == '.')
                && candidate.Contains(".so", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static Pkcs11Exception NotFound(string message) =>
        new("load", Pkcs11ErrorKind.ModuleNotLoadable, message, Pkcs11Remedies.ModuleNotLoadable);
}

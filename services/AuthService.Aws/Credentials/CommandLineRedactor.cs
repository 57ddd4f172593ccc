using System.Text.RegularExpressions;

namespace AuthService.Aws.Credentials;

/// <summary>Removes secrets from a command line before it goes into a message: PINs in pkcs11: URIs, key passwords.</summary>
public static partial class CommandLineRedactor
{
    /// <summary><paramref name="text"/> with <c>pin-value=...</c> and the values of password flags replaced by <c>(redacted)</c>.</summary>
    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = PinValue().Replace(text, "${name}=(redacted)");
        return PasswordFlag().Replace(text, "${flag}${sep}(redacted)");
    }

    [GeneratedRegex(@"(?<name>pin-value|pin-source)=[^;&""'\s]*", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PinValue();

    [GeneratedRegex(@"(?<flag>--[a-z0-9-]*password)(?<sep>=|\s+)(""[^""]*""|'[^']*'|\S+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PasswordFlag();
}

using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using AuthService.Pkcs11.Modules;
using AuthService.Pkcs11.Tokens;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>The options every token command shares (--module, --token, PIN sources) and opening the token with them.</summary>
internal sealed class TokenAccess
{
    /// <summary>Debian's SoftHSM2 module path, the one the image and the reference procedure use; never read from the environment.</summary>
    public const string DefaultModule = "/usr/lib/softhsm/libsofthsm2.so";

    public Option<string> Module { get; } = new("--module") { Description = $"PKCS#11 module (default {DefaultModule})", DefaultValueFactory = _ => DefaultModule };

    public Option<string?> Token { get; } = new("--token") { Description = "the token label, e.g. roles-anywhere" };

    public Option<string?> PinFile { get; } = new("--pin-file") { Description = "read the User PIN from the first line of this file" };

    public Option<bool> PinStdin { get; } = new("--pin-stdin") { Description = "the first line of stdin is the User PIN; the rest is the command's input" };

    public void AddTo(Command command, bool withPin = true)
    {
        command.Options.Add(Module);
        command.Options.Add(Token);
        if (withPin)
        {
            command.Options.Add(PinFile);
            command.Options.Add(PinStdin);
        }
    }

    public string RequireToken(ParseResult parse) =>
        parse.GetValue(Token) is { Length: > 0 } label ? label : throw OperatorException.Usage("--token LABEL is required (the token label, e.g. roles-anywhere; 'authservice token list' shows them).");

    /// <summary>
    /// The User PIN from --pin-file, --pin-stdin or a prompt; exit 2 naming the options when there is no source
    /// and no terminal. Null only when <paramref name="required"/> is false and no source was given.
    /// </summary>
    public string? ReadPin(ParseResult parse, OperatorInput input, bool required = true)
    {
        if (parse.GetValue(PinFile) is { } file)
        {
            return SecretInput.FromFile(file, "User PIN");
        }

        if (parse.GetValue(PinStdin))
        {
            return SecretInput.FromStdin(input, "User PIN");
        }

        if (!required)
        {
            return null;
        }

        return SecretInput.Prompt("User PIN: ")
            ?? throw OperatorException.Usage("no User PIN: use --pin-file FILE or --pin-stdin (first line of stdin), or run with a terminal (docker exec -it) to be prompted.");
    }

    public static Pkcs11Module LoadModule(string path) => Pkcs11Module.Open(path);

    /// <summary>Opens the token by label and logs in when a PIN is given (the layer disposes the token if login fails).</summary>
    public Pkcs11Token Open(ParseResult parse, string? pin) =>
        LoadModule(parse.GetValue(Module)!).OpenToken(new Pkcs11Uri { Token = RequireToken(parse), PinValue = pin });

    /// <summary>
    /// The PIN (first stdin line with --pin-stdin), then the certificate (--file or the rest of stdin), checked against
    /// the Roles Anywhere requirements before the token is touched; then the token, logged in.
    /// </summary>
    public (Pkcs11Token Token, X509Certificate2 Certificate) OpenWithCertificate(ParseResult parse, string? certificateFile)
    {
        var input = new OperatorInput();
        string pin = ReadPin(parse, input)!;
        X509Certificate2 cert = CertificateRequirements.Read(certificateFile, input);
        try
        {
            CertificateRequirements.Require(cert, TimeProvider.System.GetUtcNow());
            return (Open(parse, pin), cert);
        }
        catch
        {
            cert.Dispose();
            throw;
        }
    }
}

/// <summary>CKA_ID as the tools write it on the command line (--id 01 is the one byte 0x01).</summary>
internal static class HexId
{
    public static byte[] Parse(string? text, string option = "--id")
    {
        string value = text?.Trim() ?? string.Empty;
        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = value[2..];
        }

        if (value.Length == 0 || value.Length % 2 != 0 || !value.All(Uri.IsHexDigit))
        {
            throw OperatorException.Usage($"{option} '{text}' is not a hex object id: use an even number of hex digits, e.g. {option} 01.");
        }

        return Convert.FromHexString(value);
    }

    public static string Format(ReadOnlySpan<byte> id) => Convert.ToHexStringLower(id);
}

/// <summary>Aligned text tables for terminals.</summary>
internal static class ConsoleTable
{
    public static void Write(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string separator = "  ")
    {
        List<IReadOnlyList<string>> all = [headers, .. rows];
        int[] widths = headers.Select((_, i) => all.Max(r => i < r.Count ? r[i].Length : 0)).ToArray();
        foreach (IReadOnlyList<string> row in all)
        {
            // The last column is not padded, so long details do not leave trailing blanks.
            string line = string.Join(separator, row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i])));
            writer.WriteLine(line.TrimEnd());
        }
    }
}

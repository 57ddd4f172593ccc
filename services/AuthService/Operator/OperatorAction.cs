using System.CommandLine;
using System.CommandLine.Invocation;
using System.Security.Cryptography;
using AuthService.Pkcs11.Errors;
using AuthService.Pkcs11.Uris;

namespace AuthService.Operator;

/// <summary>The exit codes of the operator commands (token, credentials, doctor), documented in docs/operations.md.</summary>
internal static class ExitCodes
{
    /// <summary>Done, or every check passed.</summary>
    public const int Ok = 0;

    /// <summary>A check or token operation failed (wrong PIN, key/certificate mismatch, expired certificate, ...).</summary>
    public const int Failed = 1;

    /// <summary>Usage or input error: bad or missing option, no PIN source, unreadable PEM.</summary>
    public const int Usage = 2;
}

/// <summary>A failure the operator can fix; the message says how. Never carries a PIN or key material.</summary>
internal sealed class OperatorException : Exception
{
    public OperatorException(string message, int exitCode = ExitCodes.Failed)
        : base(message) => ExitCode = exitCode;

    public OperatorException()
    {
    }

    public OperatorException(string message)
        : base(message)
    {
    }

    public OperatorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.Failed;

    public static OperatorException Usage(string message) => new(message, ExitCodes.Usage);
}

/// <summary>
/// Runs an operator command: parse errors become exit 2 (System.CommandLine would use 1), and the failures an
/// operator can fix become one line on stderr with the fix and exit 1 or 2, instead of a stack trace.
/// </summary>
internal sealed class OperatorAction(Func<ParseResult, int> run) : SynchronousCommandLineAction
{
    // Lets Invoke see parse errors of this command, so usage errors get exit code 2 like every other input error.
    public override bool ClearsParseErrors => true;

    public static void Attach(Command command, Func<ParseResult, int> run) => command.Action = new OperatorAction(run);

    public override int Invoke(ParseResult parseResult)
    {
        if (parseResult.Errors.Count > 0 || parseResult.UnmatchedTokens.Count > 0)
        {
            // An unrecognized value may be a PIN someone tried to pass on the command line: name options, never values.
            var values = parseResult.UnmatchedTokens.Where(t => !t.StartsWith('-')).ToList();
            foreach (var error in parseResult.Errors.Where(e => !values.Any(v => e.Message.Contains(v, StringComparison.Ordinal))))
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            foreach (var option in parseResult.UnmatchedTokens.Where(t => t.StartsWith('-')).Distinct())
            {
                Console.Error.WriteLine($"error: unrecognized option '{option}'");
            }

            if (values.Count > 0)
            {
                Console.Error.WriteLine($"error: {values.Count} unexpected argument(s) (not shown: PINs are never taken from the command line; use --pin-file FILE or --pin-stdin)");
            }

            Console.Error.WriteLine($"See '{string.Join(' ', CommandPath(parseResult.CommandResult.Command))} --help'.");
            return ExitCodes.Usage;
        }

        try
        {
            return run(parseResult);
        }
        catch (OperatorException e)
        {
            return Fail(e.Message, e.ExitCode);
        }
        catch (Pkcs11Exception e)
        {
            return Fail(e.Message, e.Kind == Pkcs11ErrorKind.InvalidInput ? ExitCodes.Usage : ExitCodes.Failed);
        }
        catch (Pkcs11UriFormatException e)
        {
            return Fail(e.Message, ExitCodes.Usage);
        }
        catch (ArgumentException e)
        {
            return Fail(e.Message, ExitCodes.Usage);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return Fail(e.Message, ExitCodes.Failed);
        }
    }

    private static int Fail(string message, int exitCode)
    {
        Console.Error.WriteLine($"error: {message}");
        return exitCode;
    }

    private static List<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(c is RootCommand ? "authservice" : c.Name);
        }

        names.Reverse();
        return names;
    }
}

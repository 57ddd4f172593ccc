using System.Text;

namespace AuthService.Aws.Credentials;

/// <summary>
/// Splits a command line into words with POSIX shell quoting (as botocore's shlex.split does for
/// <c>credential_process</c>): single quotes are literal, double quotes allow <c>\"</c> <c>\\</c> <c>\$</c> <c>\`</c>,
/// a backslash outside quotes escapes the next character. No variables, globs or pipes: nothing runs a shell.
/// </summary>
public static class ShellWords
{
    /// <summary>The words of <paramref name="commandLine"/>.</summary>
    /// <exception cref="FormatException">A quote is not closed, or the line ends in a lone backslash.</exception>
    public static IReadOnlyList<string> Split(string commandLine)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            switch (c)
            {
                case '\'':
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException("The command line has an unclosed single quote (').");
                    }

                    word.Append(commandLine, i + 1, close - i - 1);
                    i = close;
                    inWord = true;
                    break;
                case '"':
                    i++;
                    while (true)
                    {
                        if (i >= commandLine.Length)
                        {
                            throw new FormatException("The command line has an unclosed double quote (\").");
                        }

                        var d = commandLine[i];
                        if (d == '"')
                        {
                            break;
                        }

                        if (d == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            word.Append(commandLine[++i]);
                        }
                        else
                        {
                            word.Append(d);
                        }

                        i++;
                    }

                    inWord = true;
                    break;
                case '\\':
                    if (i + 1 >= commandLine.Length)
                    {
                        throw new FormatException("The command line ends with a lone backslash.");
                    }

                    word.Append(commandLine[++i]);
                    inWord = true;
                    break;
                default:
                    if (char.IsWhiteSpace(c))
                    {
                        if (inWord)
                        {
                            words.Add(word.ToString());
                            word.Clear();
                            inWord = false;
                        }
                    }
                    else
                    {
                        word.Append(c);
                        inWord = true;
                    }

                    break;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}

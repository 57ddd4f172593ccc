using System.Diagnostics;
using System.Text;

namespace AuthService.Operator;

/// <summary>
/// Standard input of one command, read once: with --pin-stdin (or --pins-stdin) the first line(s) are PINs and the
/// rest is the command's input (a PEM), so a key and its PIN can be piped together without the PIN ever being on
/// the command line or in the environment.
/// </summary>
internal sealed class OperatorInput
{
    private byte[]? _stdin;
    private int _offset;

    /// <summary>The next line of stdin without its line ending; null at the end.</summary>
    public string? ReadLine()
    {
        byte[] all = Load();
        if (_offset >= all.Length)
        {
            return null;
        }

        int end = Array.IndexOf(all, (byte)'\n', _offset);
        int next = end < 0 ? all.Length : end + 1;
        int length = (end < 0 ? all.Length : end) - _offset;
        if (length > 0 && all[_offset + length - 1] == (byte)'\r')
        {
            length--;
        }

        string line = Encoding.UTF8.GetString(all, _offset, length);
        Array.Clear(all, _offset, next - _offset);
        _offset = next;
        return line;
    }

    /// <summary>The rest of stdin (the caller wipes it after use).</summary>
    public byte[] ReadRest(string what)
    {
        if (_stdin is null && !Console.IsInputRedirected)
        {
            Console.Error.WriteLine($"Paste the {what}, then press Ctrl-D:");
        }

        byte[] all = Load();
        byte[] rest = all.AsSpan(_offset).ToArray();
        Array.Clear(all);
        _offset = all.Length;
        return rest;
    }

    private byte[] Load()
    {
        if (_stdin is null)
        {
            using Stream input = Console.OpenStandardInput();
            using var buffer = new MemoryStream();
            input.CopyTo(buffer);
            _stdin = buffer.ToArray();
            // MemoryStream's internal buffer may still hold a copy: overwrite it before it is collected.
            Array.Clear(buffer.GetBuffer());
        }

        return _stdin;
    }
}

/// <summary>Reads secrets (PINs, passphrases) from a file, stdin or the terminal; never from argv or the environment.</summary>
internal static class SecretInput
{
    /// <summary>The first line of a file (a trailing CR/LF removed).</summary>
    public static string FromFile(string path, string what)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OperatorException.Usage($"cannot read the {what} file '{path}': {e.GetType().Name}. Check that it exists and is readable.");
        }

        string line = text.Split('\n', 2)[0].TrimEnd('\r');
        return line.Length > 0 ? line : throw OperatorException.Usage($"the {what} file '{path}' is empty: its first line must hold the {what}.");
    }

    /// <summary>The next stdin line as a secret.</summary>
    public static string FromStdin(OperatorInput input, string what) =>
        input.ReadLine() is { Length: > 0 } line ? line : throw OperatorException.Usage($"stdin has no {what} on its first line.");

    /// <summary>Prompts on the terminal with echo off; null when no terminal is attached.</summary>
    public static string? Prompt(string prompt, bool confirm = false)
    {
        string? first = TerminalPrompt.Read(prompt, echo: false);
        if (first is null || !confirm)
        {
            return first;
        }

        string? second = TerminalPrompt.Read("Repeat to confirm: ", echo: false);
        return second == first ? first : throw OperatorException.Usage("the two entries differ; nothing was changed.");
    }
}

/// <summary>
/// Reads a line from the controlling terminal (/dev/tty), so stdin stays free for the PEM; echo is switched off with
/// stty for secrets. No terminal (a script, docker exec without -t) gives null, and the caller names the options.
/// </summary>
internal static class TerminalPrompt
{
    private const string Tty = "/dev/tty";

    public static string? Read(string prompt, bool echo)
    {
        FileStream tty;
        try
        {
            tty = new FileStream(Tty, FileMode.Open, FileAccess.ReadWrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        using (tty)
        {
            // No BOM: Encoding.UTF8 would write EF BB BF before the first prompt.
            using var writer = new StreamWriter(tty, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true) { AutoFlush = true };
            using var reader = new StreamReader(tty, new UTF8Encoding(false), leaveOpen: true);
            // Echo goes off before the prompt shows, so nothing typed in answer to it is ever displayed.
            if (!echo && !Stty("-echo"))
            {
                return null;
            }

            writer.Write(prompt);

            try
            {
                return reader.ReadLine() ?? string.Empty;
            }
            finally
            {
                if (!echo)
                {
                    Stty("echo");
                    writer.WriteLine();
                }
            }
        }
    }

    /// <summary>Confirmation (y/yes); null without a terminal.</summary>
    public static bool? Confirm(string question) =>
        Read(question + " [y/N] ", echo: true) is { } answer ? answer.Trim() is "y" or "Y" or "yes" or "YES" : null;

    private static bool Stty(string setting)
    {
        try
        {
            var start = new ProcessStartInfo("stty") { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add("-F");
            start.ArgumentList.Add(Tty);
            start.ArgumentList.Add(setting);
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

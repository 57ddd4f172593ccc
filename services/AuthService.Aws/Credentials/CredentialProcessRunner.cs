using System.ComponentModel;
using System.Diagnostics;

namespace AuthService.Aws.Credentials;

/// <summary>
/// Runs a <c>credential_process</c> command as the AWS SDKs do: the line split into words with shell quoting
/// (<see cref="ShellWords"/>), the program started directly (no shell), the environment inherited, stdout read as
/// Version 1 JSON, a non-zero exit an error. Adds a timeout so a stuck helper cannot hang the service.
/// </summary>
/// <param name="timeProvider">The clock of the timeout.</param>
/// <param name="timeout">How long the process may run (default 60 s).</param>
public sealed class CredentialProcessRunner(TimeProvider timeProvider, TimeSpan? timeout = null)
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="commandLine"/> and returns the credentials it printed.</summary>
    /// <exception cref="CredentialProcessException">The command is malformed, failed, timed out or printed bad JSON.</exception>
    public async Task<AwsCredentials> RunAsync(string commandLine, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        IReadOnlyList<string> words;
        try
        {
            words = ShellWords.Split(commandLine);
        }
        catch (FormatException e)
        {
            throw new CredentialProcessException($"credential_process '{CommandLineRedactor.Redact(commandLine)}' cannot be split into words: {e.Message}", e);
        }

        if (words.Count == 0)
        {
            throw new CredentialProcessException("credential_process is empty: set it to the command that prints the credentials JSON.");
        }

        var program = words[0];
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in words.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new CredentialProcessException($"credential_process program '{program}' cannot be started ({e.Message}): check the path and that it is executable.", e);
        }

        using var timeoutSource = new CancellationTokenSource(_timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var stdout = process.StandardOutput.ReadToEndAsync(linked.Token);
        var stderr = process.StandardError.ReadToEndAsync(linked.Token);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            TryKill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new CredentialProcessException($"credential_process '{program}' did not finish within {_timeout.TotalSeconds:0} s and was stopped: check that it does not wait for input (a PIN prompt, a TTY).");
        }

        if (process.ExitCode != 0)
        {
            var error = CommandLineRedactor.Redact((await stderr.ConfigureAwait(false)).Trim());
            throw new CredentialProcessException(
                $"credential_process '{program}' exited with code {process.ExitCode}" +
                (error.Length == 0 ? "." : ": " + (error.Length > 500 ? error[..500] + "..." : error)));
        }

        AwsCredentials credentials;
        try
        {
            credentials = CredentialProcessOutput.Parse(await stdout.ConfigureAwait(false), program);
        }
        catch (FormatException e)
        {
            throw new CredentialProcessException(e.Message, e);
        }

        if (credentials.IsExpired(timeProvider.GetUtcNow()))
        {
            throw new CredentialProcessException($"credential_process '{program}' returned credentials that expired at {credentials.Expiration:u}: check the helper and this machine's clock.");
        }

        return credentials;
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
